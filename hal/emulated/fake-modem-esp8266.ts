// The ESP8266 AT command set (NonOS AT 1.x, single-connection mode) for FakeModem. Answers follow
// Espressif's "ESP8266 AT Instruction Set": CIPSTART -> "CONNECT" + OK, or "ALREADY CONNECTED" +
// ERROR; CIPSEND -> OK + "> ", exactly <len> bytes (at most 2048), "Recv <len> bytes", SEND OK;
// received data -> "+IPD,<len>:<bytes>"; the peer closing -> "CLOSED"; power-up -> "ready".
import { ERR, OK, type Engine, type FakeModemOptions, type ModemApi, type Remote } from './fake-modem.js';
import { FakeModem } from './fake-modem.js';

interface L {
  r?: Remote;
  up: boolean;
  dead: boolean;
}

export function esp8266Engine(m: ModemApi): Engine {
  let mux = 0;
  let auth = 0;
  let sni: string | undefined;
  let link: L | undefined;

  const drop = () => {
    if (link) {
      link.dead = true;
      link.r?.end();
    }
    link = undefined;
  };

  const start = (tls: boolean, host: string, port: number) => {
    const l: L = { up: false, dead: false };
    link = l;
    const f = m.opts.flash ?? {};
    l.r = m.opts.dial(
      {
        host,
        port,
        tls,
        verify: tls && (auth & 2) !== 0,
        ca: auth & 2 ? f.ca : undefined,
        cert: auth & 1 ? f.cert : undefined,
        key: auth & 1 ? f.key : undefined,
        servername: sni,
      },
      {
        open() {
          if (l.dead) return;
          l.up = true;
          m.done('CONNECT\r\n' + OK);
        },
        data(d) {
          if (l.dead || !l.up) return;
          const max = m.opts.ipdMax ?? 1460;
          for (let i = 0; i < d.length; i += max) {
            const f = d.slice(i, i + max);
            m.out('\r\n+IPD,' + f.length + ':' + f);
          }
        },
        close() {
          if (l.dead) return;
          l.dead = true;
          if (link === l) link = undefined;
          if (l.up) return m.out('\r\nCLOSED\r\n');
          m.done(ERR);
          m.out('CLOSED\r\n');
        },
        error() {
          this.close();
        },
      },
    );
  };

  return {
    boot: '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x40100000, len 2408, room 16\r\n\r\nready\r\n',
    reset() {
      drop();
      mux = 0;
      auth = 0;
      sni = undefined;
    },
    stale() {
      link = { up: true, dead: false, r: { write() {}, end() {} } };
    },
    handle(c) {
      let a: RegExpExecArray | null;
      if ((a = /^AT\+CIPMUX=([01])$/.exec(c))) {
        if (link) return m.done('\r\nlink is builded' + ERR);
        mux = +a[1]!;
        return m.done(OK);
      }
      if ((a = /^AT\+CIPSSLSIZE=(\d+)$/.exec(c))) {
        const n = +a[1]!;
        return m.done(n >= 2048 && n <= 4096 ? OK : ERR);
      }
      if ((a = /^AT\+CIPSSLCCONF=([0-3])$/.exec(c))) {
        auth = +a[1]!;
        return m.done(OK);
      }
      if ((a = /^AT\+CIPSSLCSNI="([^"\r\n]+)"$/.exec(c))) {
        sni = a[1];
        return m.done(OK);
      }
      if ((a = /^AT\+CIPSTART="(TCP|SSL)","([^"]+)",(\d+)$/.exec(c))) {
        if (mux) {
          m.bad('CIPSTART without a link id in multi-connection mode');
          return m.done(ERR);
        }
        if (link) return m.done('\r\nALREADY CONNECTED' + ERR);
        return start(a[1] === 'SSL', a[2]!, +a[3]!);
      }
      if ((a = /^AT\+CIPSEND=(\d+)$/.exec(c))) {
        const n = +a[1]!;
        if (n < 1 || n > 2048) {
          m.bad('CIPSEND length ' + n + ' outside 1..2048');
          return m.done(ERR);
        }
        const l = link;
        if (!l || !l.up) return m.done('\r\nlink is not valid' + ERR);
        return m.data(OK + '> ', n, (p) => {
          m.out('\r\n\r\nRecv ' + n + ' bytes\r\n');
          if (l.dead) return m.done('\r\nSEND FAIL\r\n');
          l.r?.write(p);
          m.done('\r\nSEND OK\r\n');
        });
      }
      if (c === 'AT+CIPCLOSE') {
        if (!link) return m.done(ERR);
        drop();
        return m.done('CLOSED\r\n' + OK);
      }
      m.bad('unknown command: ' + c);
      m.done(ERR);
    },
  };
}

export function fakeEsp8266(opts: FakeModemOptions): FakeModem {
  return new FakeModem(opts, esp8266Engine);
}
