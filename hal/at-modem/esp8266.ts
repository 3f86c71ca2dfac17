// ESP8266 AT firmware (NonOS AT 1.x, ESP-AT 2.x) in single-connection mode (AT+CIPMUX=0), so
// received data arrive as "+IPD,<len>:<bytes>" and every command works on the one link.
import type { Profile, Step } from './transport.js';

export const esp8266: Profile = {
  bootLine_: 'ready',
  link_(o, log) {
    const tls = o.tls;
    // AT+CIPSSLCCONF: bit 0 = send the client certificate, bit 1 = verify the server with the CA.
    const mode = (o.ca ? 2 : 0) | (o.cert ? 1 : 0);
    const steps: Step[] = [{ command_: 'ATE0' }, { command_: 'AT+CIPMUX=0', optional_: 1 }];
    if (tls) {
      // The AT command set cannot load certificates: they must be flashed into the module.
      if (mode) log.warn('esp8266: TLS uses the CA/client certificate flashed in the module, not the ones given');
      steps.push(
        // NonOS only (ESP-AT 2.x answers ERROR): a TLS buffer big enough for today's certificates.
        { command_: 'AT+CIPSSLSIZE=4096', optional_: 1 },
        // Verification asked for must not be skipped silently, so only "no verification" may fail.
        { command_: 'AT+CIPSSLCCONF=' + mode, optional_: mode ? undefined : 1 },
        // ESP-AT 2.x only.
        { command_: 'AT+CIPSSLCSNI="' + (o.servername || o.host) + '"', optional_: 1 },
      );
    }
    steps.push({ command_: 'AT+CIPSTART="' + (tls ? 'SSL' : 'TCP') + '","' + o.host + '",' + o.port, retryWhenAlreadyConnected_: 1 });
    return { steps_: steps, maxSend_: 2048, sendCommand_: 'AT+CIPSEND=', closeCommand_: 'AT+CIPCLOSE', closedUrc_: 'CLOSED' };
  },
};
