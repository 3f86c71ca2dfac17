// Runs inside an ES5 engine after the client bundle (global `mqtt`) and fake-hal.es5.js.
// connect -> CONNACK -> subscribe -> SUBACK -> QoS 1 publish -> PUBACK (+ the broker's echo),
// a refused subscription, a keepalive PINGREQ, then end(). Prints the client's and the broker's view.
var t = makeHal(), log = [];
var c = mqtt.createClient(t.hal, { host: 'broker.local', port: 1883, tls: false, clientId: 'es5-dev', clean: true, keepalive: 30 });
c.on('error', function (m) { log.push('error ' + m); });
c.on('close', function (r) { log.push('close ' + r); });
c.on('message', function (topic, payload) { log.push('message ' + topic + ' ' + text(payload)); });
c.on('connect', function (sp) {
  log.push('connect ' + sp);
  c.subscribe([{ topic: 'dev/in', qos: 1 }], function (err, codes) {
    log.push('suback ' + (err || 'ok') + ' ' + codes.join(','));
    c.publish('dev/in', 'hello es5', { qos: 1 }, function (err) { log.push('puback ' + (err || 'ok')); });
  });
  c.subscribe([{ topic: 'deny/x', qos: 0 }], function (err, codes) {
    log.push('suback ' + (err || 'ok') + ' ' + codes.join(','));
  });
});
c.connect();
t.run(1000);
log.push('connected ' + c.connected);
t.run(30000);
c.end();
t.run(1000);
log.push('connected ' + c.connected);
print('client', log.join(' | '));
print('broker', t.broker.seen.join(' | '));
