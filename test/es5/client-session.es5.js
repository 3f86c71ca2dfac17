// Runs inside an ES5 engine after the client bundle (global `mqtt`) and fake-hal.es5.js.
// connect refused twice (CONNACK 5) and tried again with the backoff -> CONNACK -> subscribe -> SUBACK
// -> QoS 1 publish -> PUBACK (+ the broker's echo),
// a refused subscription, a keepalive PINGREQ, then end(). Prints the client's and the broker's view.
var t = makeHal(), log = [];
var c = mqtt.createClient(t.hal, { host: 'broker.local', port: 1883, tls: false, clientId: 'es5-dev', clean: true, keepalive: 30 });
c.on('error', function (m) { log.push('error ' + m); });
c.on('close', function (r) { log.push('close ' + r); });
c.on('refused', function (rc, why, ms) { log.push('refused ' + rc + ' ' + why + ' ' + ms); });
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
t.broker.refuse = 2;
c.connect();
// Retries after 500 and 1000 ms: the fake HAL's random() is 0.5, the backoff 1000 ms doubling.
t.run(3000);
log.push('connected ' + c.connected);
t.run(30000);
c.end();
t.run(1000);
log.push('connected ' + c.connected);
print('client', log.join(' | '));
print('broker', t.broker.seen.join(' | '));
