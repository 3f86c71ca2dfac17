// The benchmark's table: one row per client, ratio rows tinyiot / anchor, and numbered notes for
// the figures that could not be measured (the cell says "n/a [k]", the note says why).

/** A figure, the reason it is missing, or nothing to measure (undefined). */
export type Cell = number | { missing: string } | undefined;

export const COLUMNS = ['bytes', 'load', 'connected', 'encode', 'decode'] as const;
export type Column = (typeof COLUMNS)[number];

export const HEADINGS: Record<Column | 'client', string> = {
  client: 'client',
  bytes: 'bytes (minified ES5)',
  load: 'blocks to load',
  connected: 'blocks connected + subscribed',
  encode: 'Ir/encode',
  decode: 'Ir/decode',
};

export type Row = { client: string } & Partial<Record<Column, Cell>>;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** a / b for every column where both are figures ("0.52×"), else "–". */
export function ratioRow(label: string, a: Row, b: Row): Record<Column | 'client', string> {
  const out = { client: label } as Record<Column | 'client', string>;
  for (const c of COLUMNS) {
    const x = a[c], y = b[c];
    out[c] = typeof x === 'number' && typeof y === 'number' && y > 0 ? `${(x / y).toFixed(2)}×` : '–';
  }
  return out;
}

/** The rows as a Markdown table (numbers right-aligned), then the ratio rows, then the notes. */
export function formatTable(rows: Row[], ratios: Record<Column | 'client', string>[] = []): string[] {
  const notes: string[] = [];
  const cell = (r: Row, c: Column): string => {
    const v = r[c];
    if (typeof v === 'number') return fmt(v);
    if (v === undefined) return '–';
    notes.push(`[${notes.length + 1}] ${r.client}, ${HEADINGS[c]}: ${v.missing}`);
    return `n/a [${notes.length}]`;
  };
  const body = [...rows.map((r) => [r.client, ...COLUMNS.map((c) => cell(r, c))]), ...ratios.map((r) => [r.client, ...COLUMNS.map((c) => r[c])])];
  const head = [HEADINGS.client, ...COLUMNS.map((c) => HEADINGS[c])];
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (i ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join(' | ')} |`;
  const rule = `|${w.map((n, i) => (i ? `${'-'.repeat(n + 1)}:` : '-'.repeat(n + 2))).join('|')}|`;
  return [line(head), rule, ...body.map(line), ...notes];
}
