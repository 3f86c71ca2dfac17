// Tests that run firmware on Espruino's own interpreter. On a developer's machine without one they
// skip with one line saying how to get it; CI sets TINYIOT_REQUIRE_ESPRUINO=1, where a missing
// interpreter fails the run instead.
import { HOW_TO_GET, locateEspruino } from '../../build/espruino/locate.js';

let warned = false;

export interface EspruinoBinary {
  path: string | undefined;
  /** For describe.skipIf(). */
  missing: boolean;
}

export function requireEspruino(): EspruinoBinary {
  const found = locateEspruino();
  if (found) return { path: found.path, missing: false };
  const msg = `Espruino interpreter not found: ${HOW_TO_GET}`;
  if (process.env.TINYIOT_REQUIRE_ESPRUINO === '1') throw new Error(`${msg} (required because TINYIOT_REQUIRE_ESPRUINO=1)`);
  if (!warned) console.warn(`${msg}: skipping the Espruino tests`);
  warned = true;
  return { path: undefined, missing: true };
}
