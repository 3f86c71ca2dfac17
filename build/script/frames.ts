// How the step player running inside Espruino talks to the host: one console line per event and
// one at the end, each starting with a frame mark the host looks for. Anything else the interpreter
// prints (its own errors, the HAL's warnings) is not a frame. \x10 (DLE) never appears in what
// Espruino prints by itself, and JSON.stringify there escapes every character past ASCII, so a
// frame survives the console byte for byte.
export const FRAME_MARK = '\x10tinyiot-';
export const EVENT_FRAME = FRAME_MARK + 'ev ';
export const END_FRAME = FRAME_MARK + 'end ';
/** Storage files the host writes before Espruino boots: the bundled player and the plan (JSON). */
export const CODE_FILE = 'tinyiot-script';
export const PLAN_FILE = 'tinyiot-plan';
/** The global the bundle assigns its exports to. */
export const GLOBAL = 'tinyiotScript';
