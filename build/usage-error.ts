// A mistake in how a command was called: an unknown option, board or app, a file a flag names that
// cannot be read. Every command exits 2 for it, and 1 when what it was asked to do failed, so a
// script can tell "fix the command line" from "the device, broker or build failed".
export class UsageError extends Error {}

/** How a usage mistake is said: the message, then the command's help or where to find it. */
export function usageText(cmd: string, message: string, help?: string): string {
  return `tinyiot ${cmd}: ${message}\n${help ? `\n${help}\n` : `(see 'tinyiot ${cmd} --help')\n`}`;
}
