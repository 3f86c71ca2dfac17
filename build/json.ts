// JSON.parse's error text quotes the source around the mistake, and script and board files can
// hold passwords and keys: errors give only the line and column, found by a small syntax scan.

/** Offset of the first syntax error in `s` (s.length when it ends too early), or -1 if it is valid JSON. */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i]!)) i++;
  };
  const expect = (ch: string) => {
    if (s[i] !== ch) fail();
    i++;
  };
  const str = () => {
    expect('"');
    for (;;) {
      const c = s.charCodeAt(i);
      if (i >= s.length || c < 32) fail();
      i++;
      if (c === 34) return;
      if (c !== 92) continue;
      if (s[i] === 'u') {
        for (let k = 0; k < 4; k++) if (!/[0-9a-fA-F]/.test(s[++i] ?? '')) fail();
        i++;
      } else if ('"\\/bfnrt'.includes(s[i] ?? 'x')) i++;
      else fail();
    }
  };
  const num = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const list = (close: string, item: () => void) => {
    i++;
    ws();
    if (s[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (s[i] === close) return void i++;
      expect(',');
    }
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      return list('}', () => {
        ws();
        str();
        ws();
        expect(':');
        value();
      });
    }
    if (c === '[') return list(']', value);
    if (c === '"') return str();
    for (const w of ['true', 'false', 'null']) if (c === w[0]) return void [...w].forEach(expect);
    num.lastIndex = i;
    if (!num.exec(s)) fail();
    i = num.lastIndex;
  };
  try {
    value();
    ws();
    return i < s.length ? i : -1;
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
}

/** "line L, column C" of the first syntax error, or "unexpected end" when the text stops early. */
export function jsonErrorAt(s: string): string {
  const off = jsonErrorOffset(s);
  if (off < 0 || off >= s.length) return 'unexpected end of the text';
  const before = s.slice(0, off);
  const line = before.split('\n').length;
  return `line ${line}, column ${off - before.lastIndexOf('\n')}`;
}

/** JSON.parse, but a syntax error says only where it is: `${what} is not valid JSON (line L, column C)`. */
export function parseJsonQuietly(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError(`${what} is not valid JSON (${jsonErrorAt(text)})`);
  }
}
