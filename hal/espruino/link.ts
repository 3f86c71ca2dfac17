// The HAL for boards that reach the network only through `tinyiot gateway`, over a serial stream:
// a Puck.js's Bluetooth UART (bridged to a tty on the gateway's host), an Espruino's USB or
// Serial1. The MQTT client's socket is that stream: connect() opens it at once whatever the host,
// port and TLS asked for (the gateway holds the TLS connection to IoT Hub and answers the MQTT
// itself), and close() only stops passing bytes on: a serial line has no connection to end, and
// the gateway starts a fresh session at the board's next CONNECT. Espruino's console would write
// its prompt and errors into the same stream, so when the console is on the link it is moved off
// (to LoopbackA) first.
// One listener on the port, made once, hands bytes to whichever socket is current.
import type { Log, Socket, SocketHandlers, Transport } from '../types.js';
// Bytes cross the link through the codec's converters, not bytes.ts's copies of them: the MQTT
// client, this transport's user, points them at E's natives (useUtf8) when it is made, before it
// connects. Without that they are the JS ones, slower but right.
import { byteStringOf, bytesOf } from '../../firmware/mqtt/codec/utf8.js';
import { espruinoCore, type EspruinoBoard, type EspruinoHal, type EspruinoParts } from './core.js';
import type { EspruinoEnv } from './env.js';

export interface LinkBoard extends EspruinoBoard {
  /** The board file's gatewayLink: the device's name, and the UART speed for a port that takes one. */
  link: { serial: string; baud?: number };
}

/** Open while it is the link's current socket: connect() closes the one before. */
class LinkSocket implements Socket {
  constructor(readonly link_: LinkState, readonly handlers_: SocketHandlers) {}

  write(b: Uint8Array) {
    if (this.link_.current_ === this) this.link_.port_.write(byteStringOf(b));
  }

  close() {
    if (this.link_.current_ !== this) return;
    this.link_.current_ = 0;
    const h = this.handlers_;
    this.link_.env_.setTimeout(() => h.onClose('closed'), 0);
  }
}

interface LinkState {
  env_: EspruinoEnv;
  port_: any;
  current_: LinkSocket | 0;
}

/** A Transport over `port`, an Espruino serial device (Bluetooth, USB, Serial1...). */
export function linkTransport(env: EspruinoEnv, port: any, log: Log): Transport {
  const link: LinkState = { env_: env, port_: port, current_: 0 };
  let said = false;
  port.on('data', (d: string) => {
    const s = link.current_;
    if (s) s.handlers_.onData(bytesOf(d));
  });
  return {
    connect(o, h) {
      if (o.tls && !said) log.info('gateway link: tinyiot gateway holds the TLS connection');
      said = true;
      if (link.current_) link.current_.close();
      const s = new LinkSocket(link, h);
      link.current_ = s;
      env.setTimeout(() => link.current_ === s && h.onOpen(), 0);
      return s;
    },
  };
}

export function createEspruinoLinkHal(env: EspruinoEnv, board: LinkBoard, parts: EspruinoParts): EspruinoHal {
  const port = env.serial;
  if (board.link.baud) port.setup(board.link.baud);
  const E = env.E;
  if (E && E.getConsole && E.setConsole && E.getConsole() == board.link.serial) E.setConsole('LoopbackA', { force: true });
  return espruinoCore(env, board, parts, (_c, l) => linkTransport(env, port, l));
}
