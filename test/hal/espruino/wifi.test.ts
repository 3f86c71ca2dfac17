import { describe, expect, it } from 'vitest';
import { espruinoClock } from '../../../hal/espruino/clock.js';
import { wifiJoin } from '../../../hal/espruino/wifi.js';
import { fakeEspruino, type FakeWifiOptions } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';

function join(w: FakeWifiOptions, ssid: string, pwd: string, o = { tries: 3, ms: 30, pause: 5 }) {
  const b = fakeEspruino({ wifi: w });
  const clock = espruinoClock(b.env);
  const res: (string | undefined)[] = [];
  wifiJoin(b.env.require('Wifi'), clock, ssid, pwd, (e) => res.push(e), o);
  return { b, res };
}

describe('wifiJoin (Espruino Wifi module)', () => {
  it('calls back once joined', async () => {
    const { b, res } = join({ ssid: 'lab', password: 'pw1' }, 'lab', 'pw1');
    await until(() => res.length > 0, 'callback');
    expect(res).toEqual([undefined]);
    expect(b.wifi.calls).toEqual([{ ssid: 'lab', password: 'pw1' }]);
  });

  it('retries while the access point is absent (no callback from Espruino) and then joins', async () => {
    const { b, res } = join({ ssid: 'lab', password: 'pw1', absentFor: 2 }, 'lab', 'pw1');
    await until(() => res.length > 0, 'callback');
    expect(res).toEqual([undefined]);
    expect(b.wifi.calls).toHaveLength(3);
  });

  it('gives up after the tries with the last reason, never quoting the password', async () => {
    const { b, res } = join({ ssid: 'lab', password: 'right' }, 'lab', 'wrong-Pa55');
    await until(() => res.length > 0, 'callback');
    expect(b.wifi.calls).toHaveLength(3);
    expect(res).toEqual(['wifi: Bad password']);
    await new Promise((r) => setTimeout(r, 60));
    expect(res).toHaveLength(1);
  });

  it('reports a timeout when the network never answers', async () => {
    const { res } = join({ ssid: 'other', password: 'x' }, 'lab', 'pw', { tries: 2, ms: 20, pause: 5 });
    await until(() => res.length > 0, 'callback');
    expect(res).toEqual(['wifi: no connection after 20 ms']);
  });

  it('rejects CR/LF in the credentials at once', () => {
    expect(() => join({ ssid: 'lab', password: 'x' }, 'lab', 'a\r\nAT+RST')).toThrow(/cannot hold CR or LF/);
  });
});
