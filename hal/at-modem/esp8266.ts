// ESP8266 AT firmware (NonOS AT 1.x, ESP-AT 2.x) in single-connection mode (AT+CIPMUX=0), so
// received data arrive as "+IPD,<len>:<bytes>" and every command works on the one link.
import type { Profile, Step } from './transport.js';

export const esp8266: Profile = {
  rdy: 'ready',
  link(o, log) {
    const t = o.tls;
    // AT+CIPSSLCCONF: bit 0 = send the client certificate, bit 1 = verify the server with the CA.
    const m = (o.ca ? 2 : 0) | (o.cert ? 1 : 0);
    const st: Step[] = [{ c: 'ATE0' }, { c: 'AT+CIPMUX=0', o: 1 }];
    if (t) {
      // The AT command set cannot load certificates: they must be flashed into the module.
      if (m) log.warn('esp8266: TLS uses the CA/client certificate flashed in the module, not the ones given');
      st.push(
        // NonOS only (ESP-AT 2.x answers ERROR): a TLS buffer big enough for today's certificates.
        { c: 'AT+CIPSSLSIZE=4096', o: 1 },
        // Verification asked for must not be skipped silently, so only "no verification" may fail.
        { c: 'AT+CIPSSLCCONF=' + m, o: m ? undefined : 1 },
        // ESP-AT 2.x only.
        { c: 'AT+CIPSSLCSNI="' + (o.servername || o.host) + '"', o: 1 },
      );
    }
    st.push({ c: 'AT+CIPSTART="' + (t ? 'SSL' : 'TCP') + '","' + o.host + '",' + o.port, r: 1 });
    return {
      steps: st,
      max: 2048,
      send: (n) => 'AT+CIPSEND=' + n,
      close: 'AT+CIPCLOSE',
      urc: (l) => (l == 'CLOSED' ? 2 : 0),
    };
  },
};
