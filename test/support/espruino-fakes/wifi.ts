// Espruino's "Wifi" module on ESP32/ESP8266 (libs/network/jswrap_wifi.c): connect(ssid,
// {password}, cb) calls cb(null) once joined and cb("Bad password") for a wrong password; a missing
// access point gives no callback at all (the chip keeps retrying inside). Callbacks are queued.

export interface FakeWifiOptions {
  ssid: string;
  password: string;
  /** The access point is out of range for this many connect() calls (no callback for them). */
  absentFor?: number;
}

export function fakeWifi(o: FakeWifiOptions) {
  const calls: { ssid: string; password: string }[] = [];
  return {
    calls,
    connect(ssid: string, opts: { password?: string } | undefined, cb?: (err: string | null) => void) {
      const password = opts?.password ?? '';
      calls.push({ ssid, password });
      if (calls.length <= (o.absentFor ?? 0) || ssid !== o.ssid) return;
      const err = password === o.password ? null : 'Bad password';
      if (cb) setImmediate(() => cb(err));
    },
  };
}
