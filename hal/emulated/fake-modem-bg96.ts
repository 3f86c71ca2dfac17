// The Quectel BG96 command set for FakeModem, buffer access mode only. Answers follow Quectel's
// BG96 SSL and TCP/IP application notes and FILE AT commands manual: QSSLOPEN/QIOPEN -> OK, then
// "+QSSLOPEN: <id>,<err>"; QSSLSEND/QISEND -> "> ", exactly <len> bytes (at most 1460), SEND OK;
// data -> '+QSSLURC: "recv",<id>' once, then no further URC until a read finds the buffer empty;
// QSSLRECV/QIRD -> "+QSSLRECV: <n>" CRLF <n bytes> CRLF OK (at most 1500 asked); the peer closing ->
// '+QSSLURC: "closed",<id>' (buffered data stay readable until QSSLCLOSE); QFUPL -> CONNECT, <size>
// bytes, "+QFUPL: <size>,<checksum>", OK; power-up -> RDY.
import { ERR, OK, FakeModem, type Engine, type FakeModemOptions, type ModemApi, type Remote } from './fake-modem.js';

interface Sock {
  tls: boolean;
  r?: Remote;
  up: boolean;
  dead: boolean;
  peerGone: boolean;
  buf: string;
  /** the next reception raises the "recv" URC */
  armed: boolean;
}

interface Ctx {
  ver: number;
  sec: number;
  sni: number;
  cacert?: string;
  clientcert?: string;
  clientkey?: string;
}

/** Quectel's upload checksum: XOR of the data taken as big-endian 16-bit words. */
function checksum(d: string): string {
  let x = 0;
  for (let i = 0; i < d.length; i += 2) x ^= (d.charCodeAt(i) << 8) | (i + 1 < d.length ? d.charCodeAt(i + 1) : 0);
  return x.toString(16);
}

export function bg96Engine(m: ModemApi): Engine {
  let socks = new Map<number, Sock>();
  let ctx: Ctx[] = [];
  const getCtx = (i: number) => (ctx[i] ??= { ver: 4, sec: 0, sni: 0 });

  const end = (id: number) => {
    const s = socks.get(id);
    if (!s) return;
    s.dead = true;
    s.r?.end();
    socks.delete(id);
  };

  const open = (tls: boolean, id: number, host: string, port: number, c: Ctx | undefined) => {
    const k = tls ? 'QSSL' : 'QI';
    if (socks.has(id)) return m.done(OK + '\r\n+' + k + 'OPEN: ' + id + ',563\r\n'); // id in use
    m.done(OK); // accepted; the outcome comes later, in a URC
    const fail = () => m.out('\r\n+' + k + 'OPEN: ' + id + ',566\r\n');
    let ca: string | undefined;
    if (c && c.sec >= 1) {
      ca = c.cacert !== undefined ? m.files.get(c.cacert.replace(/^UFS:/, '')) : undefined;
      if (ca === undefined) return fail();
    }
    const s: Sock = { tls, up: false, dead: false, peerGone: false, buf: '', armed: true };
    socks.set(id, s);
    const two = c && c.sec === 2;
    s.r = m.opts.dial(
      {
        host,
        port,
        tls,
        verify: !!c && c.sec >= 1,
        ca,
        cert: two && c.clientcert ? m.files.get(c.clientcert) : undefined,
        key: two && c.clientkey ? m.files.get(c.clientkey) : undefined,
        servername: c && c.sni ? host : undefined,
      },
      {
        open() {
          if (s.dead) return;
          s.up = true;
          m.out('\r\n+' + k + 'OPEN: ' + id + ',0\r\n');
        },
        data(d) {
          if (s.dead || !s.up) return;
          s.buf += d;
          if (s.armed) {
            s.armed = false;
            m.out('\r\n+' + k + 'URC: "recv",' + id + '\r\n');
          }
        },
        close() {
          if (s.dead || s.peerGone) return;
          s.peerGone = true;
          if (!s.up) {
            socks.delete(id);
            s.dead = true;
            return fail();
          }
          m.out('\r\n+' + k + 'URC: "closed",' + id + '\r\n');
        },
        error() {
          this.close();
        },
      },
    );
  };

  const send = (tls: boolean, id: number, n: number) => {
    const s = socks.get(id);
    if (s && s.tls !== tls) m.bad('send command of the wrong family for connection ' + id);
    if (n < 1 || n > 1460) {
      m.bad('send length ' + n + ' outside 1..1460');
      return m.done(ERR);
    }
    if (!s || !s.up || s.peerGone) return m.done(ERR);
    m.data('> ', n, (p) => {
      if (s.dead || s.peerGone) return m.done('\r\nSEND FAIL\r\n');
      s.r?.write(p);
      m.done('\r\nSEND OK\r\n');
    });
  };

  const recv = (hdr: string, id: number, n: number) => {
    const s = socks.get(id);
    if (s && s.tls !== (hdr === '+QSSLRECV')) m.bad('read command of the wrong family for connection ' + id);
    if (n < 1 || n > 1500) {
      m.bad('read length ' + n + ' outside 1..1500');
      return m.done(ERR);
    }
    if (!s) return m.done(ERR);
    const d = s.buf.slice(0, n);
    s.buf = s.buf.slice(d.length);
    if (!d.length) s.armed = true;
    m.done('\r\n' + hdr + ': ' + d.length + '\r\n' + d + '\r\n' + OK);
  };

  return {
    boot: '\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n',
    reset() {
      for (const id of [...socks.keys()]) end(id);
      socks = new Map();
      ctx = [];
    },
    stale() {
      socks.set(0, { tls: true, up: true, dead: false, peerGone: false, buf: '', armed: true });
    },
    handle(c) {
      let a: RegExpExecArray | null;
      if ((a = /^AT\+QFDEL="([^"]+)"$/.exec(c))) {
        return m.done(m.files.delete(a[1]!) ? OK : '\r\n+CME ERROR: 405\r\n'); // 405: file not found
      }
      if ((a = /^AT\+QFUPL="([^"]+)",(\d+)(?:,(\d+))?$/.exec(c))) {
        const name = a[1]!;
        const size = +a[2]!;
        if (m.files.has(name)) return m.done('\r\n+CME ERROR: 407\r\n'); // 407: file exists
        if (size < 1) return m.done(ERR);
        return m.data('\r\nCONNECT\r\n', size, (p) => {
          m.files.set(name, p);
          m.done('\r\n+QFUPL: ' + size + ',' + checksum(p) + '\r\n' + OK);
        });
      }
      if ((a = /^AT\+QSSLCFG="(\w+)",(\d),(.+)$/.exec(c))) {
        const x = getCtx(+a[2]!);
        const v = a[3]!;
        const key = a[1]!;
        if (key === 'sslversion' && /^[0-4]$/.test(v)) x.ver = +v;
        else if (key === 'seclevel' && /^[0-2]$/.test(v)) x.sec = +v;
        else if (key === 'sni' && /^[01]$/.test(v)) x.sni = +v;
        else if ((key === 'cacert' || key === 'clientcert' || key === 'clientkey') && /^"[^"]+"$/.test(v)) x[key] = v.slice(1, -1);
        else if (key !== 'ciphersuite') return m.done(ERR);
        return m.done(OK);
      }
      if ((a = /^AT\+QSSLOPEN=(\d+),(\d),(\d+),"([^"]+)",(\d+)(?:,(\d))?$/.exec(c))) {
        if (a[1] !== '1') m.bad('PDP context ' + a[1] + ' is not the active one (1)');
        if ((a[6] ?? '0') !== '0') m.bad('only buffer access mode (0) is emulated');
        const x = getCtx(+a[2]!);
        if (x.ver !== 3 && x.ver !== 4) m.bad('TLS version ' + x.ver + ' below TLS 1.2 asked for');
        return open(true, +a[3]!, a[4]!, +a[5]!, x);
      }
      if ((a = /^AT\+QIOPEN=(\d+),(\d+),"TCP","([^"]+)",(\d+),(\d+),(\d)$/.exec(c))) {
        if (a[1] !== '1') m.bad('PDP context ' + a[1] + ' is not the active one (1)');
        if (a[6] !== '0') m.bad('only buffer access mode (0) is emulated');
        return open(false, +a[2]!, a[3]!, +a[4]!, undefined);
      }
      if ((a = /^AT\+(QSSL|QI)SEND=(\d+),(\d+)$/.exec(c))) return send(a[1] === 'QSSL', +a[2]!, +a[3]!);
      if ((a = /^AT\+(QSSLRECV|QIRD)=(\d+),(\d+)$/.exec(c))) return recv('+' + a[1], +a[2]!, +a[3]!);
      if ((a = /^AT\+(QSSL|QI)CLOSE=(\d+)(?:,\d+)?$/.exec(c))) {
        end(+a[2]!);
        return m.done(OK);
      }
      m.bad('unknown command: ' + c);
      m.done(ERR);
    },
  };
}

export function fakeBg96(opts: FakeModemOptions): FakeModem {
  return new FakeModem(opts, bg96Engine);
}
