// The Espruino benchmark's own logic (test/bench/espruino/): parsing the interpreter's framed lines
// and callgrind's output, the table, the result checks and the generated programs. The parts that
// run the interpreter are tried on a tiny program when it is there (and callgrind when installed).
import { parse } from 'acorn';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cleanLine, countInstructions, flashWith, frameOf, memoryRun, parseCallgrind } from './espruino/measure.js';
import { appMemory, expectedPublish, instructionProgram, PAYLOAD, tinyiotCoreMemory, TOPIC } from './espruino/programs.js';
import { checkResult } from './espruino/runs.js';
import { formatTable, ratioRow } from './espruino/table.js';
import { requireBinary } from '../support/binary.js';
import { requireEspruino } from '../support/espruino.js';

// The head of a real callgrind output file of the benchmark (valgrind 3.19, --toggle-collect).
const callgrindSample = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 29754
cmd:  /work/shared/espruino/espruino p.js
part: 1


desc: I1 cache: 
desc: D1 cache: 
desc: LL cache: 

desc: Timerange: Basic block 0 - 32778919
desc: Trigger: Program termination

positions: line
events: Ir
summary: 113260968


ob=(8) /work/shared/espruino/espruino
fl=(162) ???
fn=(1394) jsvRef
0 126040
`;

describe('callgrind output', () => {
  it('gives the summary of Ir', () => {
    expect(parseCallgrind(callgrindSample)).toBe(113260968);
  });

  it('takes the Ir column when more events were counted, and totals when there is no summary', () => {
    expect(parseCallgrind('events: Dr Ir\ntotals: 5 42\n')).toBe(42);
  });

  it('refuses output without a total or without Ir', () => {
    expect(() => parseCallgrind('events: Ir\nfn=(1) x\n0 5\n')).toThrow(/no summary/);
    expect(() => parseCallgrind('events: Dr\nsummary: 5\n')).toThrow(/no Ir/);
  });
});

describe('framed lines', () => {
  it('finds the frame after a prompt and terminal escapes', () => {
    expect(frameOf('>\x1b[JBENCH|mem base 101')).toBe('mem base 101');
    expect(frameOf('BENCH|suback\r')).toBe('suback');
    expect(frameOf('info: tinyiot: starting on linux')).toBeUndefined();
  });

  it('cleans other lines for error messages', () => {
    expect(cleanLine('>\x1b[JUncaught Error: x  ')).toBe('Uncaught Error: x');
  });
});

describe('the table', () => {
  const a = { client: 'tinyiot core client', bytes: 11289, load: 271, connected: { missing: 'timed out' }, encode: 6351265.4 };
  const b = { client: 'tinyMQTT', bytes: 3596, load: 121, connected: 217, encode: 237624 };

  it('prints figures with separators, a note per missing figure, and ratios', () => {
    const lines = formatTable([a, b], [ratioRow('ratio core / tinyMQTT', a, b)]);
    expect(lines[0]).toMatch(/^\| client +\| bytes \(minified ES5\) \| blocks to load \| blocks connected \+ subscribed \| Ir\/encode \| Ir\/decode \|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+:\|/);
    expect(lines[2]).toContain('| 6,351,265 |');
    expect(lines[2]).toContain('n/a [1]');
    expect(lines[4]).toMatch(/\| +3\.14× \| +2\.24× \| +– \| +26\.73× \| +– \|$/);
    expect(lines[5]).toBe('[1] tinyiot core client, blocks connected + subscribed: timed out');
    // Every table line is as wide as the heading.
    for (const l of lines.slice(0, 5)) expect(l.length).toBe(lines[0]!.length);
  });
});

describe('result checks', () => {
  const hex = Buffer.from(expectedPublish()).toString('hex');

  it('the packet is a 57-byte QoS 0 PUBLISH', () => {
    expect(expectedPublish().length).toBe(57);
    expect(hex.slice(0, 8)).toBe('30370021');
  });

  it('accepts the packet, tinyMQTT with its RETAIN flag, and the decoded topic and payload', () => {
    expect(checkResult('tinyiot', 'encode', hex)).toBeUndefined();
    expect(checkResult('tinymqtt', 'encode', `31${hex.slice(2)}`)).toBeUndefined();
    expect(checkResult('tinyiot', 'encode', `31${hex.slice(2)}`)).toMatch(/not the expected 57-byte PUBLISH/);
    expect(checkResult('espruino-mqtt', 'decode', `${TOPIC} ${PAYLOAD}`)).toBeUndefined();
    expect(checkResult('espruino-mqtt', 'decode', 'x y')).toMatch(/decoded "x y"/);
  });
});

describe('the programs', () => {
  it('are plain ES5 with the counted loop inside reduce', () => {
    for (const client of ['tinyiot', 'espruino-mqtt', 'tinymqtt', 'loop'] as const) {
      for (const op of ['encode', 'decode'] as const) {
        const p = instructionProgram(client, op, 500, 'x');
        expect(() => parse(p, { ecmaVersion: 5 })).not.toThrow();
        expect(p).toContain('var N = 500;');
        expect(p).toContain('[0].reduce(loop, 0);');
      }
    }
    const m = tinyiotCoreMemory('core', 1883);
    expect(() => parse(m.boot, { ecmaVersion: 5 })).not.toThrow();
    expect(m.load).toBe('eval(require("Storage").read("core"))');
  });
});

const espruino = requireEspruino();
// Skips without valgrind on a developer's box; CI installs it and fails without it.
const valgrind = requireBinary('valgrind');

describe.skipIf(espruino.missing)('on the interpreter', () => {
  it('samples blocks before and after a load from Storage', { timeout: 30_000 }, async () => {
    const code = 'var tinyiot = { a: [1, 2, 3], f: function () { return 1; } };';
    const r = await memoryRun({
      program: appMemory('code', 'unused'), storage: { code }, connect: false,
      ready: 'suback', readyWhat: 'nothing', readyMs: 1000, settleMs: 0, binary: espruino.path,
    });
    expect(r.error).toBeUndefined();
    expect(r.load! - r.base!).toBeGreaterThan(3);
    expect(r.load! - r.base!).toBeLessThan(30);
  });

  it.skipIf(valgrind.missing)('counts the instructions of the loop alone', { timeout: 60_000 }, async () => {
    const flashDir = await flashWith({ x: '1' }, espruino.path);
    const tools = { flashDir, binary: espruino.path!, valgrind: valgrind.path! };
    const none = await countInstructions({ ...tools, program: instructionProgram('loop', 'encode', 0, 'x') });
    const some = await countInstructions({ ...tools, program: instructionProgram('loop', 'encode', 20, 'x') });
    await rm(flashDir, { recursive: true, force: true });
    // The loop's own iterations only: thousands of instructions each, not the interpreter's start-up.
    expect(none.ir).toBeLessThan(100_000);
    expect((some.ir - none.ir) / 20).toBeGreaterThan(1000);
    expect((some.ir - none.ir) / 20).toBeLessThan(50_000);
  });
});
