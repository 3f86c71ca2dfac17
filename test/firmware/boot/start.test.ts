import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../firmware/apps/config.js';
import { type BootInfo, insecureDev, type Join, start } from '../../../firmware/boot/start.js';
import { defaultLimits } from '../../../firmware/mqtt/limits.js';
import { arrayLog, createEmulatedHal } from '../../../hal/emulated/index.js';
import type { Hal } from '../../../hal/types.js';

const info: BootInfo = { id: 'esp32', led: 'D2', limits: { ...defaultLimits, maxPacket: 2048 } };

function boot(cfg: AppConfig | undefined, b: BootInfo = info, join?: Join, insecure?: boolean) {
  const log = arrayLog('info');
  const hal = createEmulatedHal({ log });
  const runs: { hal: Hal; cfg: AppConfig; linesBefore: string[] }[] = [];
  // As the entry of an --insecure-dev build calls it.
  start((h, c) => runs.push({ hal: h, cfg: c, linesBefore: [...log.lines] }), hal, insecure ? insecureDev(hal, cfg) : cfg, b, join);
  return { hal, log, runs };
}

describe('start', () => {
  it("fills the board's LED and limits where the config has none, and starts the app once", () => {
    const { hal, runs, log } = boot(undefined);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.hal).toBe(hal);
    expect(runs[0]!.cfg).toEqual({ led: 'D2', limits: info.limits });
    expect(log.lines).toEqual(['info: tinyiot: starting on esp32']);
  });

  it('keeps what the config says, including an explicit null LED (no LED)', () => {
    const limits = { maxPacket: 512 };
    const { runs } = boot({ led: null, limits, tls: true, host: 'h' });
    expect(runs[0]!.cfg).toEqual({ led: null, limits, tls: true, host: 'h' });
  });

  it('an --insecure-dev build forces plain TCP and warns before the app starts', () => {
    const { runs, log } = boot({ tls: true, host: 'h' }, info, undefined, true);
    expect(runs[0]!.cfg.tls).toBe(false);
    expect(runs[0]!.linesBefore[0]).toMatch(/^warn: !!! INSECURE DEVELOPMENT BUILD: plain TCP, no TLS\..*Never use real credentials/);
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toHaveLength(1);
  });

  it('a secure build leaves tls as configured and does not warn', () => {
    const { runs, log } = boot({ tls: false });
    expect(runs[0]!.cfg.tls).toBe(false);
    expect(log.lines.some((l) => /INSECURE/.test(l))).toBe(false);
  });

  it('joins cfg.wifi first where the board can, and starts the app once the join answered', () => {
    const joins: [string, string][] = [];
    let answer: ((err?: string) => void) | undefined;
    const { runs, log } = boot({ wifi: { ssid: 'home', password: 'pw' } }, info, (s, p, cb) => {
      joins.push([s, p]);
      answer = cb;
    });
    expect(joins).toEqual([['home', 'pw']]);
    expect(runs).toHaveLength(0);
    answer!();
    expect(runs).toHaveLength(1);
    expect(log.lines).toEqual(['info: tinyiot: joining WiFi home', 'info: tinyiot: starting on esp32']);
    expect(log.lines.join('\n')).not.toContain('pw');
  });

  it('a failed join is logged and the app starts anyway (its client keeps retrying)', () => {
    const { runs, log } = boot({ wifi: { ssid: 'home' } }, info, (_s, p, cb) => cb(p === '' ? 'wifi: no AP home' : 'unexpected password'));
    expect(runs).toHaveLength(1);
    expect(log.lines).toEqual(['info: tinyiot: joining WiFi home', 'error: wifi: no AP home', 'info: tinyiot: starting on esp32']);
  });

  it('does not join without a join function (no WiFi on the board) or without an ssid', () => {
    let joined = 0;
    const j: Join = () => joined++;
    expect(boot({ wifi: { ssid: 'home', password: 'pw' } }).runs).toHaveLength(1);
    expect(boot({ wifi: { ssid: '' } }, info, j).runs).toHaveLength(1);
    expect(boot({}, info, j).runs).toHaveLength(1);
    expect(joined).toBe(0);
  });
});
