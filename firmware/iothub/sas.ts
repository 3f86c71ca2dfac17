// Shared access signature tokens, byte for byte as azure-iot-common 1.13 builds them
// (SharedAccessKeyAuthenticationProvider + SharedAccessSignature.create):
//   sr  = strictEncode(resourceUri)              the whole URI, so `/` becomes %2F; no lower-casing
//   sig = strictEncode(base64(HMAC-SHA256(base64Decode(key), sr + "\n" + se)))
//   SharedAccessSignature sr=..&sig=..[&skn=strictEncode(policy)]&se=..   (skn before se)
// (Microsoft's SAS page describes the encoded URI as lower case; the SDK does not lower-case, and ids
// are case-sensitive, so they are kept as they are: docs/iothub.md.)
// Matching the SDK exactly lets its tokens serve as golden values in tests.
import type { Crypto } from '../../hal/types.js';
import { base64Decode, base64Encode } from '../crypto/base64.js';
import { utf8Encode } from '../mqtt/codec/utf8.js';
import { uriEncode } from './propbag.js';
import { devicePath } from './topics.js';

/**
 * encodeURIComponent plus ! ' ( ) * (azure-iot-common's encodeUriComponentStrict). The hex is
 * lower-case for these five, so `*` becomes %2a, exactly as the SDK writes it. uriEncode is
 * encodeURIComponent on every engine (Espruino's own garbles text beyond ASCII).
 */
export function strictEncode(s: string): string {
  return uriEncode(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16));
}

/** `{host}/devices/{deviceId}[/modules/{moduleId}]`, to be passed (unencoded) to sasToken. */
export function deviceResourceUri(host: string, deviceId: string, moduleId?: string): string {
  return host + '/' + devicePath(deviceId, moduleId);
}

/** DPS registration resource; its tokens use the policy name `registration`. */
export function dpsResourceUri(idScope: string, registrationId: string): string {
  return idScope + '/registrations/' + registrationId;
}

/**
 * `expiry` is in epoch seconds; 0 (a clock that does not know the time yet) is refused, as a
 * token that expired in 1970 would only get the connection closed.
 */
export function sasToken(crypto: Crypto, resourceUri: string, keyBase64: string, expiry: number, policyName?: string): string {
  const e = !resourceUri ? 'empty resource URI' : !keyBase64 ? 'empty key'
    : !/^[1-9]\d*$/.test('' + expiry) && 'expiry must be a positive whole number of seconds';
  if (e) throw new Error('sas: ' + e);
  return sas(crypto, resourceUri, keyBase64, expiry, policyName);
}

/** sasToken without its argument checks, for callers that checked them already (the device). */
export function sas(crypto: Crypto, uri: string, key: string, expiry: number, skn?: string): string {
  const sr = strictEncode(uri);
  // The MQTT client's UTF-8 encoder, already on the board; sr is ASCII anyway.
  const sig = base64Encode(crypto.hmacSha256(base64Decode(key), utf8Encode(sr + '\n' + expiry)));
  return 'SharedAccessSignature sr=' + sr + '&sig=' + strictEncode(sig) + (skn ? '&skn=' + strictEncode(skn) : '') + '&se=' + expiry;
}
