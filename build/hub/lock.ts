// One hub per data folder: two would overwrite each other's twins and queue. The claim is
// hub.lock, created exclusively (open 'wx') before the hub listens, so of two hubs started at
// once on one folder exactly one gets it. It holds the owner's pid: a lock whose process is gone
// (a hub that crashed) is taken over. hub.json, written once listening, says where the hub is.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const LOCK = 'hub.lock';
/** A lock file still empty after this long was left by a process that died between open and write. */
const EMPTY_GRACE_MS = 5000;
const mine = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock at `f` belongs to nobody alive (or to this process, which does not hold it). */
function stale(f: string): boolean {
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    return true; // gone meanwhile
  }
  const pid = Number(text.trim());
  if (!text.trim() || !Number.isInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(f).mtimeMs > EMPTY_GRACE_MS;
    } catch {
      return true;
    }
  }
  return pid === process.pid || !alive(pid);
}

function create(f: string): boolean {
  let fd: number;
  try {
    fd = openSync(f, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Throws when a hub already runs on `dataDir` (an absolute path that exists). */
export function claimDataDir(dataDir: string): void {
  const f = join(dataDir, LOCK);
  const busy = () => new Error(`a hub is already running on ${dataDir}`);
  if (mine.has(dataDir)) throw busy();
  if (!create(f)) {
    if (!stale(f)) throw busy();
    try {
      unlinkSync(f);
    } catch {
      // another process took it over first; its exclusive create decides below
    }
    if (!create(f)) throw busy();
  }
  mine.add(dataDir);
}

export function releaseDataDir(dataDir: string): void {
  if (!mine.delete(dataDir)) return;
  const f = join(dataDir, LOCK);
  try {
    if (Number(readFileSync(f, 'utf8').trim()) === process.pid) unlinkSync(f);
  } catch {
    // already gone
  }
}
