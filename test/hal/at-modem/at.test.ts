import { describe, expect, it } from 'vitest';
import { AtRunner, type AtCommand } from '../../../hal/at-modem/at.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import type { Clock, TimerId } from '../../../hal/types.js';

/** A command that can run code of its own once answered (the runner only tells its client). */
type TestCommand = AtCommand & { then_?: () => void };

function setup(ms = 1000) {
  const clock = new VirtualClock();
  const sent: string[] = [];
  const results: [string | undefined, string][] = [];
  const at = new AtRunner<TestCommand>({ write: (s) => sent.push(s), onData: () => {} }, clock, ms, {
    commandDone_(c, e, l) {
      results.push([e, l]);
      if (c.then_) c.then_();
    },
  });
  const cmd = (c: string, more: Partial<TestCommand> = {}, front?: boolean) => at.run_({ command_: c, ...more }, front);
  return { clock, sent, at, results, cmd };
}

describe('at-modem command runner', () => {
  it('sends one command at a time and passes the last line before OK', () => {
    const t = setup();
    t.cmd('AT+A');
    t.cmd('AT+B');
    expect(t.sent).toEqual(['AT+A\r\n']);
    t.at.line_('+A: 42');
    t.at.line_('OK');
    expect(t.results).toEqual([[undefined, '+A: 42']]);
    expect(t.sent).toEqual(['AT+A\r\n', 'AT+B\r\n']);
    t.at.line_('OK');
    expect(t.results[1]).toEqual([undefined, '']);
    expect(t.clock.pending()).toBe(0);
  });

  it('ignores lines when no command runs', () => {
    const t = setup();
    t.at.line_('OK');
    t.at.line_('ERROR');
    expect(t.results).toEqual([]);
  });

  it('reports ERROR with the command and the line before it', () => {
    const t = setup();
    t.cmd('AT+CIPSTART="TCP","h",1');
    t.at.line_('ALREADY CONNECTED');
    t.at.line_('ERROR');
    expect(t.results).toEqual([['AT+CIPSTART="TCP","h",1: ALREADY CONNECTED, ERROR', 'ERROR']]);
  });

  it('treats +CME ERROR and SEND FAIL as failures', () => {
    const t = setup();
    t.cmd('AT+QFDEL="x"');
    t.at.line_('+CME ERROR: 405');
    t.cmd('AT+QSSLSEND=0,1', { payload_: 'x', successPrefix_: 'SEND OK' });
    t.at.line_('>');
    t.at.line_('SEND FAIL');
    expect(t.results.map((r) => r[0])).toEqual(['AT+QFDEL="x": +CME ERROR: 405', 'AT+QSSLSEND=0,1: SEND FAIL']);
  });

  it('writes the payload only after the prompt, and ends at the success line', () => {
    const t = setup();
    t.cmd('AT+CIPSEND=3', { payload_: 'abc', successPrefix_: 'SEND OK' });
    t.at.line_('OK'); // ESP8266 says OK before "> "; not the end
    expect(t.sent).toEqual(['AT+CIPSEND=3\r\n']);
    t.at.line_('>');
    expect(t.sent).toEqual(['AT+CIPSEND=3\r\n', 'abc']);
    t.at.line_('>'); // a stray prompt does not send it twice
    t.at.line_('Recv 3 bytes');
    t.at.line_('SEND OK');
    expect(t.sent.length).toBe(2);
    expect(t.results).toEqual([[undefined, 'SEND OK']]);
  });

  it('ignores a prompt (the line ">") when no payload waits: it is never the result', () => {
    const t = setup();
    t.cmd('AT+QFUPL="a.pem",1,10', { payload_: 'A' });
    t.at.line_('>');
    t.at.line_('+QFUPL: 1,65');
    t.at.line_('>');
    t.at.line_('OK');
    t.cmd('AT+X');
    t.at.line_('>');
    t.at.line_('OK');
    expect(t.sent).toEqual(['AT+QFUPL="a.pem",1,10\r\n', 'A', 'AT+X\r\n']);
    expect(t.results).toEqual([[undefined, '+QFUPL: 1,65'], [undefined, '']]);
  });

  it('takes CONNECT as the prompt of an upload, then ends at OK', () => {
    const t = setup();
    t.cmd('AT+QFUPL="ca.pem",4,10', { payload_: 'PEM!' });
    t.at.line_('OK'); // not before the payload went
    expect(t.results).toEqual([]);
    t.at.line_('CONNECT');
    expect(t.sent[1]).toBe('PEM!');
    t.at.line_('+QFUPL: 4,1234');
    t.at.line_('OK');
    expect(t.results).toEqual([[undefined, '+QFUPL: 4,1234']]);
  });

  it('waits past OK for a result URC when successPrefix_ names it', () => {
    const t = setup();
    t.cmd('AT+QSSLOPEN=1,0,0,"h",1,0', { successPrefix_: '+QSSLOPEN:' });
    t.at.line_('OK');
    expect(t.results).toEqual([]);
    t.at.line_('+QSSLOPEN: 0,0');
    expect(t.results).toEqual([[undefined, '+QSSLOPEN: 0,0']]);
  });

  it('resends a command the modem was too busy to take, a bounded number of times', () => {
    const t = setup();
    t.cmd('AT+CIPMUX=0');
    t.at.line_('busy p...');
    expect(t.sent.length).toBe(1);
    t.clock.advance(250);
    expect(t.sent).toEqual(['AT+CIPMUX=0\r\n', 'AT+CIPMUX=0\r\n']);
    t.at.line_('OK');
    expect(t.results).toEqual([[undefined, '']]);

    t.cmd('AT');
    for (let i = 0; i < 9; i++) {
      t.at.line_('busy p...');
      t.clock.advance(250);
    }
    expect(t.results[1]).toEqual(['AT: busy', 'busy p...']);
    expect(t.sent.filter((s) => s === 'AT\r\n').length).toBe(9);
  });

  it('does not resend once the payload is in ("busy s..." while sending)', () => {
    const t = setup();
    t.cmd('AT+CIPSEND=1', { payload_: 'x', successPrefix_: 'SEND OK' });
    t.at.line_('>');
    t.at.line_('busy s...');
    t.clock.advance(1000 - 1);
    expect(t.sent).toEqual(['AT+CIPSEND=1\r\n', 'x']);
    t.at.line_('SEND OK');
    expect(t.results).toEqual([[undefined, 'SEND OK']]);
  });

  it('times out a command that gets no answer and goes on with the next', () => {
    const t = setup(500);
    t.cmd('AT+X');
    t.cmd('AT+Y', { timeoutMs_: 2000 });
    t.clock.advance(499);
    expect(t.results).toEqual([]);
    t.clock.advance(1);
    expect(t.results).toEqual([['AT+X: timeout', '']]);
    expect(t.sent[1]).toBe('AT+Y\r\n');
    t.clock.advance(1999);
    expect(t.results.length).toBe(1);
    t.clock.advance(1);
    expect(t.results[1]).toEqual(['AT+Y: timeout', '']);
  });

  it('puts commands queued from a callback with front=true before the others, in call order', () => {
    const t = setup();
    t.cmd('AT+FIRST', {
      then_: () => {
        t.cmd('AT+RETRY', {}, true);
        t.cmd('AT+CLOSE', {}, true);
      },
    });
    t.cmd('AT+LATER');
    t.at.line_('ERROR');
    expect(t.sent).toEqual(['AT+FIRST\r\n', 'AT+CLOSE\r\n']);
    t.at.line_('OK');
    t.at.line_('OK');
    expect(t.sent.slice(2)).toEqual(['AT+RETRY\r\n', 'AT+LATER\r\n']);
  });

  it('drops the queued commands of one owner but lets the running one finish', () => {
    const t = setup();
    const a = {};
    t.cmd('AT+A1', { owner_: a });
    t.cmd('AT+A2', { owner_: a });
    t.cmd('AT+B');
    t.at.drop_(a);
    t.at.line_('OK');
    expect(t.results.length).toBe(1);
    expect(t.sent).toEqual(['AT+A1\r\n', 'AT+B\r\n']);
  });

  it('lets a command fill itself in once, when it comes up (beforeWrite_), even if it is resent', () => {
    const t = setup();
    let v = 'early';
    let calls = 0;
    t.cmd('AT+A');
    t.cmd('', {
      successPrefix_: 'SEND OK',
      beforeWrite_(this: AtCommand) {
        calls++;
        this.command_ = 'AT+SEND=' + v.length;
        this.payload_ = v;
      },
    });
    v = 'later!';
    expect(calls).toBe(0);
    t.at.line_('OK');
    expect(calls).toBe(1);
    expect(t.sent[1]).toBe('AT+SEND=6\r\n');
    t.at.line_('busy p...');
    t.clock.advance(250);
    expect(t.sent[2]).toBe('AT+SEND=6\r\n');
    t.at.line_('>');
    t.at.line_('SEND OK');
    expect(calls).toBe(1);
    expect(t.sent.slice(3)).toEqual(['later!']);
    expect(t.results).toEqual([[undefined, ''], [undefined, 'SEND OK']]);
  });

  it('never clears a timer that already fired (Espruino throws "Unknown Timeout")', () => {
    const v = new VirtualClock();
    const live = new Set<TimerId>();
    const clock: Clock = {
      now: () => v.now(),
      time: () => 0,
      setTimer(ms, fn) {
        const id = v.setTimer(ms, () => {
          live.delete(id);
          fn();
        });
        live.add(id);
        return id;
      },
      clearTimer(id) {
        if (!live.delete(id)) throw new Error('Unknown Timeout');
        v.clearTimer(id);
      },
    };
    const sent: string[] = [];
    const results: (string | undefined)[] = [];
    const at = new AtRunner({ write: (s) => sent.push(s), onData: () => {} }, clock, 500, { commandDone_: (c, e) => results.push(e) });
    at.run_({ command_: 'AT+X' });
    at.run_({ command_: 'AT+Y' });
    v.advance(500); // AT+X times out; AT+Y starts
    at.line_('busy p...');
    v.advance(250); // the resend timer fires
    at.line_('OK');
    expect(results).toEqual(['AT+X: timeout', undefined]);
    expect(sent).toEqual(['AT+X\r\n', 'AT+Y\r\n', 'AT+Y\r\n']);
    expect(live.size).toBe(0);
  });

  it('forgets everything on reset, timers included', () => {
    const t = setup();
    t.cmd('AT+A');
    t.cmd('AT+B');
    t.at.reset_();
    expect(t.clock.pending()).toBe(0);
    t.at.line_('OK');
    t.clock.advance(5000);
    expect(t.results).toEqual([]);
    t.cmd('AT');
    expect(t.sent[t.sent.length - 1]).toBe('AT\r\n');
  });
});
