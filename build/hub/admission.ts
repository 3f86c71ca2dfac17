// Which TCP connections the hub takes at all, before TLS or MQTT: at most maxConnections open in
// total and maxConnectionsPerAddress from one remote address, so that a peer that opens sockets
// and never finishes its handshake cannot use up the hub's file descriptors. The TLS handshake
// deadline (tls.Server's handshakeTimeout) and the CONNECT deadline (conn.ts) then free what a
// silent peer holds.
import { createServer as tcpServer, type Server, type Socket } from 'node:net';
import { createServer as tlsServer } from 'node:tls';
import type { ConnLimits } from './limits.js';

export class Admission {
  /** Every open socket, CONNECTed or not, even mid-handshake: stop() must not wait for a silent one. */
  readonly sockets = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  private refused = 0;

  constructor(private readonly limits: Pick<ConnLimits, 'maxConnections' | 'maxConnectionsPerAddress' | 'handshakeTimeoutMs'>, private readonly log: (line: string) => void) {}

  /** The devices' server, over TLS with `certs` (plain TCP without), its sockets admitted here. */
  server(certs: { cert: string; key: string } | undefined, onSocket: (s: Socket) => void): Server {
    let server: Server;
    if (certs) {
      // handshakeTimeout: a peer that never finishes TLS is dropped instead of holding a socket.
      server = tlsServer({ ...certs, minVersion: 'TLSv1.2', handshakeTimeout: this.limits.handshakeTimeoutMs }, onSocket);
      // Node reports a handshake timeout or failure here and leaves the socket to this listener.
      server.on('tlsClientError', (_e: Error, s: Socket) => s.destroy());
    } else server = tcpServer(onSocket);
    server.on('connection', (s: Socket) => this.admit(s));
    return server;
  }

  private admit(s: Socket): void {
    const addr = s.remoteAddress ?? '?';
    const n = this.perAddress.get(addr) ?? 0;
    const why =
      this.sockets.size >= this.limits.maxConnections ? `${this.sockets.size} connections open, the limit`
      : n >= this.limits.maxConnectionsPerAddress ? `${n} connections open from ${addr}, the limit per address`
      : null;
    if (why) {
      // The first refusal of a run is logged with its reason, the rest counted: a flood of
      // connections must not become a flood of log lines.
      if (!this.refused++) this.log(`refusing connections: ${why}`);
      s.destroy();
      return;
    }
    if (this.refused) this.log(`refused ${this.refused} connection(s) over the limits; taking connections again`);
    this.refused = 0;
    this.sockets.add(s);
    this.perAddress.set(addr, n + 1);
    s.once('close', () => {
      this.sockets.delete(s);
      const left = (this.perAddress.get(addr) ?? 1) - 1;
      if (left > 0) this.perAddress.set(addr, left);
      else this.perAddress.delete(addr);
    });
  }
}
