// Hub certificates for tests, made once per test process. A hub makes its CA and server certificate
// on first start in a data folder: two RSA 2048 keys, 0.2-1.5 s on a busy machine. Tests start
// dozens of hubs in fresh folders, so they get a copy of one set instead. The hub treats the copy as
// a folder it made itself (the CA signed the server certificate, which is RSA and not expiring).
// Tests of certificate making (test/build/hub/ca.test.ts) call ensureCerts on empty folders.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCerts } from '../../build/hub/ca.js';

let made: Promise<string> | undefined;

const FILES = ['ca.pem', 'ca.key', 'server.pem', 'server.key'];

/** Puts this process's hub CA and server certificate into `dataDir` unless it has a CA already. */
export async function seedHubCerts(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'ca.pem'))) return;
  made ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-hub-certs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await ensureCerts(dir);
    return dir;
  })();
  const from = await made;
  mkdirSync(dataDir, { recursive: true });
  for (const f of FILES) copyFileSync(join(from, f), join(dataDir, f));
}
