import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModemOutput } from '../../../hal/at-modem/parser.js';

type Ev = ['line', string] | ['prompt'] | ['data', string];

/** Runs the parser over `chunks`; lines starting with a key of `raw` announce that many payload bytes. */
function parse(chunks: string[], raw: Record<string, number> = {}): Ev[] {
  const ev: Ev[] = [];
  let push = (_: string) => {};
  parseModemOutput(
    { write: () => {}, onData: (fn) => (push = fn) },
    {
      line_(l) {
        // The prompt comes as the line ">".
        ev.push(l === '>' ? ['prompt'] : ['line', l]);
        for (const k of Object.keys(raw)) if (l.startsWith(k)) return raw[k];
      },
      data_: (d) => ev.push(['data', d]),
    },
  );
  for (const c of chunks) push(c);
  // Payload pieces are a stream: join neighbours so splits do not change the result.
  const out: Ev[] = [];
  for (const e of ev) {
    const prev = out[out.length - 1];
    if (e[0] === 'data' && prev && prev[0] === 'data') prev[1] += e[1];
    else out.push(e);
  }
  return out;
}

function splitAt(s: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(s.slice(prev, c));
    prev = c;
  }
  out.push(s.slice(prev));
  return out;
}

const binary = (n: number, seed: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((i * 131 + seed * 7) & 255);
  return s;
};

describe('at-modem parser', () => {
  it('yields lines without CR/LF and skips empty ones', () => {
    expect(parse(['\r\nOK\r\n\r\n\r\nERROR\r\n'])).toEqual([
      ['line', 'OK'],
      ['line', 'ERROR'],
    ]);
  });

  it('keeps a line whole when it arrives one byte at a time', () => {
    const s = '\r\nSEND OK\r\n\r\nbusy p...\r\n';
    expect(parse(s.split(''))).toEqual([
      ['line', 'SEND OK'],
      ['line', 'busy p...'],
    ]);
  });

  it('drops the extra CR of an echoed command', () => {
    expect(parse(['ATE0\r\r\n\r\nOK\r\n'])).toEqual([
      ['line', 'ATE0'],
      ['line', 'OK'],
    ]);
  });

  it('reports the "> " prompt, which ends no line', () => {
    expect(parse(['\r\nOK\r\n> '])).toEqual([['line', 'OK'], ['prompt']]);
    expect(parse(['\r\nOK\r\n>', ' '])).toEqual([['line', 'OK'], ['prompt']]);
  });

  it('reads an +IPD frame by its length, whatever the bytes', () => {
    const body = 'a\r\nOK\r\n+IPD,3:xyz\r\n> \n';
    expect(parse([`\r\n+IPD,${body.length}:${body}\r\nOK\r\n`])).toEqual([
      ['data', body],
      ['line', 'OK'],
    ]);
  });

  it('reassembles a partial +IPD frame exactly, for every split point', () => {
    const body = binary(300, 3) + '\r\nOK\r\n+IPD,5:';
    const wire = `\r\n+IPD,${body.length}:${body}CLOSED\r\n`;
    for (let i = 0; i <= wire.length; i++) {
      expect(parse([wire.slice(0, i), wire.slice(i)])).toEqual([
        ['data', body],
        ['line', 'CLOSED'],
      ]);
    }
  });

  it('handles several frames and lines in one read', () => {
    expect(parse(['\r\n+IPD,2:ab\r\n+IPD,1:\n\r\nSEND OK\r\n+IPD,3:OK\r'])).toEqual([
      ['data', 'ab\n'],
      ['line', 'SEND OK'],
      ['data', 'OK\r'],
    ]);
  });

  it('reads the payload a line announces (BG96 "+QSSLRECV: <n>")', () => {
    const body = '\r\nOK\r\n' + binary(40, 1);
    expect(parse([`\r\n+QSSLRECV: ${body.length}\r\n${body}\r\n\r\nOK\r\n`], { '+QSSLRECV: ': body.length })).toEqual([
      ['line', `+QSSLRECV: ${body.length}`],
      ['data', body],
      ['line', 'OK'],
    ]);
  });

  it('drops a runaway line of noise and carries on', () => {
    expect(parse(['x'.repeat(3000), '\r\nready\r\n'])).toEqual([['line', 'ready']]);
  });

  it('gives the same events for any split of a mixed stream (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          let wire = '\r\nOK\r\n> ';
          const want: Ev[] = [['line', 'OK'], ['prompt']];
          for (const f of frames) {
            const body = String.fromCharCode(...f);
            wire += `\r\n+IPD,${body.length}:${body}\r\nSEND OK\r\n`;
            want.push(['data', body], ['line', 'SEND OK']);
          }
          expect(parse(splitAt(wire, cuts))).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
