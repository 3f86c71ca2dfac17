// One hub per data folder: two would overwrite each other's twins and queue. Hubs in this process
// are tracked here; one in another process is known by the live pid in its hub.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const mine = new Set<string>();

function otherProcessHub(dataDir: string): boolean {
  const f = join(dataDir, 'hub.json');
  if (!existsSync(f)) return false;
  try {
    const pid = (JSON.parse(readFileSync(f, 'utf8')) as { pid: number }).pid;
    if (pid === process.pid) return false; // left by a hub of this process that was not stopped
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Throws when a hub already runs on `dataDir` (an absolute path). */
export function claimDataDir(dataDir: string): void {
  if (mine.has(dataDir) || otherProcessHub(dataDir)) throw new Error(`a hub is already running on ${dataDir}`);
  mine.add(dataDir);
}

export function releaseDataDir(dataDir: string): void {
  mine.delete(dataDir);
}
