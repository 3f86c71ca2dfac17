import { describe, expect, it } from 'vitest';
import * as codec from '../../../../firmware/mqtt/codec/index.js';
import { goldens } from './golden.js';
import { decodeChunks } from './helpers.js';

describe('codec index', () => {
  it('exports exactly the codec API', () => {
    expect(Object.keys(codec).sort()).toEqual(['createDecoder', 'encode', 'utf8Decode', 'utf8Encode']);
  });

  it('its functions are the working ones', () => {
    const g = goldens[0]!;
    expect(codec.encode(g.packet)).toEqual(g.bytes);
    expect(decodeChunks([g.bytes])).toEqual({ packets: [g.packet], errors: [] });
    const t = '\u00e9\u{1F642}';
    expect(codec.utf8Decode(codec.utf8Encode(t), 0, 6)).toBe(t);
  });
});
