// The simulator runs a board's firmware on the emulated HAL: the board's memory, limits, crypto and
// pins are kept, its Espruino APIs and modem are replaced by the host's (hal/emulated). Built into
// out/<id>.sim/ so it never overwrites the board's own build.
import type { Board } from '../boards.js';

export function simBoard(b: Board): Board {
  if (b.hal === 'emulated') return b;
  const { modem: _m, ...rest } = b;
  return { ...rest, id: `${b.id}.sim`, hal: 'emulated', espruinoBoard: null };
}
