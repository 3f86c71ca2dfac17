// A HAL that runs inside an ES5 engine (plain ES5 on purpose): a virtual clock, memory storage and a
// transport wired to a tiny scripted broker. The broker understands CONNECT (the first `refuse` of
// them are refused with CONNACK 5, not authorized), SUBSCRIBE (a filter
// starting with "deny/" is refused), PUBLISH (QoS 0 and 1; echoed as QoS 0 to an exact-match
// subscriber), PINGREQ and DISCONNECT, and answers in chunks of 1, 2 and 3 bytes the way a board's
// network delivers packets split up. makeHal() returns { hal, run(ms), broker: { seen, acks } }.
function makeBroker(clock) {
  var b = { seen: [], acks: 0, subs: {}, refuse: 0 };

  function lenBytes(n) {
    var out = [];
    do {
      out.push((n & 127) | (n > 127 ? 128 : 0));
      n = n >> 7;
    } while (n > 0);
    return out;
  }

  function str(d, at) {
    var n = (d[at] << 8) | d[at + 1], s = '';
    for (var i = 0; i < n; i++) s += String.fromCharCode(d[at + 2 + i]);
    return s;
  }

  b.transport = {
    connect: function (opts, h) {
      var buf = [], open = true;
      b.seen.push('DIAL ' + opts.host + ':' + opts.port + (opts.tls ? ' tls' : ' tcp'));
      clock.setTimer(0, function () { if (open) h.onOpen(); });

      function send(arr) {
        clock.setTimer(0, function () {
          for (var i = 0, n = 1; open && i < arr.length; i += n, n = n % 3 + 1) {
            h.onData(new Uint8Array(arr.slice(i, i + n)));
          }
        });
      }

      function handle(f, d) {
        var t = f >> 4, id, at, topic, qos, i;
        if (t === 1) {
          b.seen.push('CONNECT ' + str(d, 0) + ' v' + d[6] + ' flags=' + d[7] + ' ka=' + ((d[8] << 8) | d[9]) + ' id=' + str(d, 10));
          if (b.refuse > 0) b.refuse--, b.seen.push('CONNACK 5');
          send([0x20, 2, 0, b.seen[b.seen.length - 1] === 'CONNACK 5' ? 5 : 0]);
        } else if (t === 8) {
          id = (d[0] << 8) | d[1];
          var codes = [];
          for (at = 2; at < d.length; at += ((d[at] << 8) | d[at + 1]) + 3) {
            topic = str(d, at);
            qos = d[at + 2 + topic.length];
            b.subs[topic] = qos;
            codes.push(topic.indexOf('deny/') === 0 ? 0x80 : qos);
            b.seen.push('SUBSCRIBE id=' + id + ' ' + topic + ' q' + qos);
          }
          send([0x90].concat(lenBytes(2 + codes.length), [id >> 8, id & 255], codes));
        } else if (t === 3) {
          qos = (f >> 1) & 3;
          topic = str(d, 0);
          at = 2 + topic.length;
          id = qos ? (d[at] << 8) | d[at + 1] : 0;
          if (qos) at += 2;
          var payload = [];
          for (i = at; i < d.length; i++) payload.push(d[i]);
          b.seen.push('PUBLISH ' + topic + ' q' + qos + (qos ? ' id=' + id : '') + ' dup=' + ((f >> 3) & 1) + ' len=' + payload.length);
          if (qos === 1) {
            b.acks++;
            send([0x40, 2, id >> 8, id & 255]);
          }
          if (b.subs[topic] !== undefined) {
            var tb = [topic.length >> 8, topic.length & 255];
            for (i = 0; i < topic.length; i++) tb.push(topic.charCodeAt(i));
            send([0x30].concat(lenBytes(tb.length + payload.length), tb, payload));
          }
        } else if (t === 12) {
          b.seen.push('PINGREQ');
          send([0xd0, 0]);
        } else if (t === 14) {
          b.seen.push('DISCONNECT');
          open = false;
        } else {
          b.seen.push('type ' + t);
        }
      }

      function parse() {
        while (buf.length >= 2) {
          var len = 0, mul = 1, k = 1, c;
          do {
            if (k >= buf.length) return;
            c = buf[k++];
            len += (c & 127) * mul;
            mul *= 128;
          } while (c & 128);
          if (buf.length < k + len) return;
          var pk = buf.splice(0, k + len);
          handle(pk[0], pk.slice(k));
        }
      }

      return {
        write: function (bytes) {
          if (!open) throw new Error('write after close');
          for (var i = 0; i < bytes.length; i++) buf.push(bytes[i]);
          parse();
        },
        close: function () {
          if (!open) return;
          open = false;
          clock.setTimer(0, function () { h.onClose('closed by client'); });
        }
      };
    }
  };
  return b;
}

function makeHal() {
  var now = 0, seq = 0, timers = [], store = {};
  var clock = {
    now: function () { return now; },
    time: function () { return 1700000000 + Math.floor(now / 1000); },
    setTimer: function (ms, fn) {
      timers.push({ id: ++seq, at: now + (ms > 0 ? ms : 0), fn: fn });
      return seq;
    },
    clearTimer: function (id) {
      for (var i = 0; i < timers.length; i++) {
        if (timers[i].id === id) {
          timers.splice(i, 1);
          return;
        }
      }
    }
  };
  function noop() {}
  var broker = makeBroker(clock);
  return {
    broker: broker,
    hal: {
      clock: clock,
      transport: broker.transport,
      storage: {
        read: function (k) { return store.hasOwnProperty(k) ? store[k] : undefined; },
        write: function (k, v) { store[k] = v; },
        erase: function (k) { delete store[k]; }
      },
      crypto: { hmacSha256: function () { throw new Error('no crypto in this HAL'); } },
      log: { debug: noop, info: noop, warn: noop, error: noop },
      io: { write: noop, read: function () { return false; }, sense: function () { return 0; } },
      random: function () { return 0.5; }
    },
    // Fires due timers in time order (ties in creation order) until virtual time has moved ms on.
    run: function (ms) {
      var end = now + ms;
      for (;;) {
        var best = -1;
        for (var i = 0; i < timers.length; i++) {
          if (timers[i].at <= end && (best < 0 || timers[i].at < timers[best].at)) best = i;
        }
        if (best < 0) break;
        var t = timers.splice(best, 1)[0];
        if (t.at > now) now = t.at;
        t.fn();
      }
      now = end;
    }
  };
}

function text(u8) {
  var s = '';
  for (var i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]);
  return s;
}
