// Direct methods from the fake hub: dispatch by name, JSON payloads and responses, 501 for the rest.
import { describe, expect, it } from 'vitest';
import { online } from '../../support/fakeHub.js';

function setup() {
  const o = online();
  o.dev.connect();
  o.clock.advance(0);
  return o;
}

describe('direct methods', () => {
  it('calls the handler for the name with the parsed payload; status and JSON body go back with the $rid', () => {
    const { clock, hub, dev } = setup();
    const calls: unknown[] = [];
    dev.onMethod('reboot', (p, respond) => {
      calls.push(p);
      respond(200, { ok: true, after: p.delay });
    });
    dev.onMethod('blink', (_, respond) => respond(202));
    clock.advance(0);
    expect(hub.log.filter((l) => l.startsWith('subscribe'))).toEqual(['subscribe d1 $iothub/methods/POST/# q1']);
    const r1 = hub.invoke('d1', 'reboot', { delay: 5 });
    const r2 = hub.invoke('d1', 'blink', null);
    clock.advance(0);
    expect(calls).toEqual([{ delay: 5 }]);
    expect(hub.methodResults[r1]).toEqual({ status: 200, body: { ok: true, after: 5 } });
    expect(hub.methodResults[r2]).toEqual({ status: 202, body: null });
  });

  it('unknown methods get 501 with a message; names on Object.prototype are unknown too', () => {
    const { clock, hub, dev } = setup();
    dev.onMethod('known', (_, r) => r(200));
    clock.advance(0);
    const a = hub.invoke('d1', 'format_disk', {});
    const b = hub.invoke('d1', 'toString', {});
    clock.advance(0);
    expect(hub.methodResults[a]).toEqual({ status: 501, body: { message: "method 'format_disk' not implemented" } });
    expect(hub.methodResults[b]).toEqual({ status: 501, body: { message: "method 'toString' not implemented" } });
  });

  it('a handler may answer later; only its first answer is sent', () => {
    const { clock, hub, dev } = setup();
    let later: ((s: number, b?: unknown) => void) | undefined;
    dev.onMethod('slow', (_, respond) => (later = respond));
    clock.advance(0);
    const r = hub.invoke('d1', 'slow', 'text');
    clock.advance(0);
    expect(hub.methodResults[r]).toBeUndefined();
    later!(500, 'failed: x');
    later!(200, 'second');
    clock.advance(0);
    expect(hub.methodResults[r]).toEqual({ status: 500, body: 'failed: x' });
    expect(hub.violations).toEqual([]);
  });

  it('a payload that is not JSON reaches the handler as undefined', () => {
    const { clock, hub, dev } = setup();
    const got: unknown[] = [];
    dev.onMethod('m', (p, r) => (got.push(p), r(200)));
    clock.advance(0);
    hub.sessions.d1!.conn!.publish('$iothub/methods/POST/m/?$rid=ab', '{not json');
    clock.advance(0);
    expect(got).toEqual([undefined]);
    expect(hub.methodResults.ab).toEqual({ status: 200, body: null });
  });
});
