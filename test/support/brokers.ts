// Real MQTT brokers on free loopback ports for integration tests: Debian's mosquitto as a child
// process with its own config, and aedes in-process. Both can be stopped and restarted on the same
// port with their persistent sessions kept; see restart() for what survives which kind of kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { Aedes } from 'aedes';
import { findBinary } from './binary.js';
import { freePort } from './ports.js';

// freePort() hands out a port that is free now; another worker can take it before the broker binds
// it, and a broker restarting on its old port can find it briefly taken. Both are retried.
const inUse = (e: unknown): boolean => /Address already in use|EADDRINUSE/.test(String((e as Error)?.message ?? e));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts on a new free port until one is not taken by someone else meanwhile. */
async function onFreshPort(start: (port: number) => Promise<void>): Promise<number> {
  for (let i = 1; ; i++) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (e) {
      if (i >= 5 || !inUse(e)) throw e;
    }
  }
}

/** Starts again on the same port, waiting a little while it is still held. */
async function onSamePort(start: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (i >= 10 || !inUse(e)) throw e;
      await pause(200);
    }
  }
}

export interface TlsFiles {
  certPath: string;
  keyPath: string;
  caPath: string;
}

export interface BrokerOptions {
  tls?: TlsFiles;
  /** mosquitto: directory for mosquitto.db (kept across restart). Default: a temp dir of its own. */
  persistence?: string;
  /** mosquitto: config lines added at the end (a later line wins, e.g. "allow_anonymous false"). */
  settings?: string[];
}

export interface Broker {
  port: number;
  tls: boolean;
  stop(): Promise<void>;
  /**
   * Stops the broker and starts it again on the same port with the same persistence.
   * 'SIGTERM' is a clean shutdown; 'SIGKILL' (default) is a crash: mosquitto keeps what its autosave
   * wrote, aedes drops every socket at once without a goodbye.
   */
  restart(how?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** The broker's own log lines (mosquitto only; aedes logs nothing). */
  log(): string;
}

/** Resolves once a TCP connect to the port succeeds, or rejects after ms. */
export async function waitForPort(port: number, ms = 10_000, alive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`broker exited before listening on ${port}`);
    if (Date.now() > end) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * mosquitto persistence: with autosave_on_changes and autosave_interval 1 it writes mosquitto.db
 * after every change (subscription, retained or queued message), and again on a clean shutdown.
 * A SIGKILL loses only what changed since the last save.
 */
export function mosquittoConfig(port: number, dataDir: string, t?: TlsFiles, settings: string[] = []): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dataDir}/`,
    'autosave_on_changes true',
    'autosave_interval 1',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'max_queued_messages 10000',
  ];
  // Run as root, mosquitto would drop to the "mosquitto" user and lose access to our temp files.
  if (process.getuid?.() === 0) lines.push('user root');
  if (t) lines.push(`cafile ${t.caPath}`, `certfile ${t.certPath}`, `keyfile ${t.keyPath}`, 'require_certificate false');
  lines.push(...settings);
  return lines.join('\n') + '\n';
}

export async function startMosquitto(opts: BrokerOptions = {}): Promise<Broker> {
  const bin = findBinary('mosquitto');
  if (!bin) throw new Error('mosquitto not installed (apt-get install -y mosquitto)');
  const work = mkdtempSync(join(tmpdir(), 'tinyiot-mosquitto-'));
  const dataDir = opts.persistence ?? join(work, 'data');
  let port = 0;
  const conf = join(work, 'mosquitto.conf');
  mkdirSync(dataDir, { recursive: true });
  let out = '';
  let child: ChildProcess | undefined;

  const launch = async () => {
    const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    // A test run that dies without stop() must not leave a broker behind.
    const reap = () => c.kill('SIGKILL');
    process.once('exit', reap);
    c.on('exit', () => process.removeListener('exit', reap));
    let exited = false;
    c.on('exit', () => (exited = true));
    let mine = '';
    const keep = (b: Buffer) => {
      mine += b.toString();
      out = (out + b.toString()).slice(-20_000);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    try {
      // Someone else holding the port would answer the connect: wait for this mosquitto's "running".
      const end = Date.now() + 10_000;
      while (!/ running/.test(mine)) {
        if (exited) throw new Error(`mosquitto exited before listening on ${port}`);
        if (Date.now() > end) throw new Error(`mosquitto not running after 10000 ms`);
        await pause(25);
      }
      await waitForPort(port, 10_000, () => !exited);
    } catch (e) {
      c.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\nmosquitto log:\n${mine}`);
    }
  };
  const kill = async (sig: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.on('exit', () => resolve());
      c.kill(sig);
    });
  };

  // mosquitto logs "Address already in use" and exits when its port was taken; launch() rethrows that log.
  port = await onFreshPort(async (p) => {
    writeFileSync(conf, mosquittoConfig(p, dataDir, opts.tls, opts.settings));
    port = p;
    await launch();
  });
  return {
    port,
    tls: !!opts.tls,
    log: () => out,
    async stop() {
      await kill('SIGTERM');
      rmSync(work, { recursive: true, force: true });
    },
    async restart(how = 'SIGKILL') {
      await kill(how);
      await onSamePort(launch);
    },
  };
}

export async function startAedes(opts: BrokerOptions = {}): Promise<Broker> {
  let port = 0;
  let broker: Aedes | undefined;
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  // The in-memory persistence object outlives each broker instance: handing it to the next one is
  // what "the broker restarted but kept its sessions" means for aedes.
  let persistence: unknown;

  const launch = async () => {
    const b = await Aedes.createBroker(persistence ? { persistence } : {});
    // Typed as absent in aedes.d.ts, but set by listen() (aedes.js) to the default when none is given.
    persistence = (b as unknown as { persistence: unknown }).persistence;
    broker = b;
    const onSocket = (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      b.handle(s);
    };
    const srv = opts.tls
      ? tls.createServer({ cert: readFileSync(opts.tls.certPath), key: readFileSync(opts.tls.keyPath) }, onSocket)
      : net.createServer(onSocket);
    srv.on('tlsClientError', () => {});
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
  };
  const halt = async () => {
    const b = broker;
    const srv = server;
    broker = undefined;
    server = undefined;
    // Sockets first and without a goodbye, like a crash; then nothing is left to flush.
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
    if (b) await new Promise<void>((r) => b.close(() => r()));
  };

  const retry = async () => {
    try {
      await launch();
    } catch (e) {
      await halt();
      throw e;
    }
  };
  port = await onFreshPort(async (p) => {
    port = p;
    await retry();
  });
  return {
    port,
    tls: !!opts.tls,
    log: () => '',
    stop: halt,
    async restart() {
      await halt();
      await onSamePort(retry);
    },
  };
}
