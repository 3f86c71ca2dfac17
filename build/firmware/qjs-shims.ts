// Plain-ES5 code that runs inside the QjsHost before the firmware, over qjs-bridge.ts's `__h_*`
// functions: `eventsShim` is the dispatcher every shim shares (timer and socket callbacks by number),
// `halShim` builds the HAL object `__hal` the simulator hands to the bundle's run(hal, cfg).

/** Defines __ev, __timer(fn, ms), __untimer(id), __sock(handlers) -> id, __u8(str), __str(u8). */
export const eventsShim = `
var __T = {}, __S = {}, __n = 0, __serialRx = null;
function __timer(fn, ms) { var id = ++__n; __T[id] = fn; __h_timer(id, ms > 0 ? ms : 0); return id; }
function __untimer(id) { if (__T[id]) { delete __T[id]; __h_untimer(id); } }
function __sock(h) { var id = ++__n; __S[id] = h; return id; }
function __u8(s) { var u = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; }
function __str(u) { var s = ''; for (var i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return s; }
function __ev(k, id, a) {
  if (k == 't') { var f = __T[id]; delete __T[id]; if (f) f(); return; }
  if (k == 's') { if (__serialRx) __serialRx(a); return; }
  var h = __S[id];
  if (!h) return;
  if (k == 'o') h.open();
  else if (k == 'd') h.data(a);
  else if (k == 'e') h.error(a);
  else if (k == 'c') { delete __S[id]; h.close(a); }
}
`;

/** __hal: the HAL contract over the bridge (Uint8Array at its edge, like every HAL). */
export const halShim = `
var __hal = {
  clock: {
    now: function () { return __h_now(); },
    time: function () { return __h_time(); },
    setTimer: function (ms, fn) { return __timer(fn, ms); },
    clearTimer: function (id) { __untimer(id); }
  },
  transport: {
    connect: function (o, h) {
      var id = __sock({
        open: function () { h.onOpen(); },
        data: function (s) { h.onData(__u8(s)); },
        error: function (m) { h.onError(m); },
        close: function (r) { h.onClose(r); }
      });
      __h_connect(id, JSON.stringify({ host: o.host, port: o.port, tls: o.tls, ca: o.ca, cert: o.cert, key: o.key, servername: o.servername }));
      return { write: function (b) { __h_write(id, __str(b)); }, close: function () { __h_close(id); } };
    }
  },
  storage: {
    read: function (k) { return __h_sread(k); },
    write: function (k, v) { __h_swrite(k, v); },
    erase: function (k) { __h_serase(k); }
  },
  crypto: { hmacSha256: function (k, m) { return __u8(__h_hmac(__str(k), __str(m))); } },
  log: {
    debug: function (m) { __h_log('debug', m); }, info: function (m) { __h_log('info', m); },
    warn: function (m) { __h_log('warn', m); }, error: function (m) { __h_log('error', m); }
  },
  io: {
    write: function (p, v) { __h_io('w', p, v); },
    read: function (p) { return __h_io('r', p); },
    sense: function (n) { return __h_io('s', n); }
  },
  random: function () { return Math.random(); }
};
`;
