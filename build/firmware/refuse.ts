// Boards that cannot run a build as asked, with the reason in the board file's own words: a board
// without TCP/IP (BLE only) needs a gateway, and builds when its board file names the serial link
// to tinyiot gateway (gatewayLink); a board without TLS builds only in the documented
// insecure development mode (--insecure-dev: plain TCP to a broker on your own network, announced
// by a warning at every boot; Azure IoT Hub refuses plain TCP, so such a board cannot reach it).
import type { Board } from '../boards.js';
import { UsageError } from '../usage-error.js';

export function refusal(b: Board, o: { insecureDev?: boolean }): string | undefined {
  // Its MQTT goes to tinyiot gateway over the serial link, which holds the TLS connection.
  if (b.gatewayLink && !o.insecureDev) return undefined;
  if (b.network === 'none' || b.network === 'ble') {
    return `board '${b.id}' (${b.name}) has no TCP/IP (network "${b.network}"), so it cannot run tinyiot firmware by itself. ${b.notes}`;
  }
  if (b.tls === 'none' && !o.insecureDev) {
    return (
      `board '${b.id}' (${b.name}) has no TLS, so a TLS build is impossible. ` +
      `Pass --insecure-dev for the insecure development mode: plain TCP to a broker on your own network, ` +
      `never with real credentials (Azure IoT Hub refuses plain TCP). Board notes: ${b.notes}`
    );
  }
  if (o.insecureDev && b.tls !== 'none') {
    return `--insecure-dev is only for boards without TLS; '${b.id}' has TLS (${b.tls}): build it without --insecure-dev`;
  }
  return undefined;
}

/** The board when it can run the build as asked; else the refusal as a usage mistake (exit 2), said of the board the user named. */
export function buildableBoard(b: Board, o: { insecureDev?: boolean }): Board {
  const no = refusal(b, o);
  if (no) throw new UsageError(no);
  return b;
}
