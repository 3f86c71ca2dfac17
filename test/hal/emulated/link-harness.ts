// Shared by the link tests: a client that records what it hears, and a server that records its peers.
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { createLink, type Link, type LinkPeer } from '../../../hal/emulated/link.js';
import type { Socket } from '../../../hal/types.js';

export const bytes = (...n: number[]) => Uint8Array.from(n);
export const range = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

export interface Client {
  events: string[];
  chunks: Uint8Array[];
  socket: Socket;
  received(): number[];
}

export function dial(link: Link, host = '127.0.0.1', port = 1883): Client {
  const events: string[] = [];
  const chunks: Uint8Array[] = [];
  const socket = link.transport.connect(
    { host, port, tls: false },
    {
      onOpen: () => events.push('open'),
      onData: (b) => {
        chunks.push(b);
        events.push(`data ${b.length}`);
      },
      onClose: (r) => events.push(`close ${r}`),
      onError: (m) => events.push(`error ${m}`),
    },
  );
  return { events, chunks, socket, received: () => chunks.flatMap((c) => [...c]) };
}

export function setup(seed?: number) {
  const clock = new VirtualClock();
  const link = createLink({ clock, seed });
  const peers: LinkPeer[] = [];
  const peerEvents: string[] = [];
  const peerChunks: number[][] = [];
  link.server.onConnection((p) => {
    peers.push(p);
    p.onData((b) => peerChunks.push([...b]));
    p.onClose((r) => peerEvents.push(`close ${r}`));
  });
  return { clock, link, peers, peerEvents, peerChunks };
}

export function connected(seed?: number) {
  const s = setup(seed);
  const c = dial(s.link);
  s.clock.advance(0);
  const peer = s.peers[0]!;
  return { ...s, c, peer };
}
