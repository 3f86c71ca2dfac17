// Device and module ids go into MQTT topics, usernames and SAS resource URIs unencoded, so they
// are checked once, up front. IoT Hub allows 1-128 ASCII characters: alphanumerics plus
// - . % _ * ? ! ( ) , : = @ $ '  (its docs once listed + and # too: those are MQTT wildcards,
// and / splits topic levels, so all three are refused here).

/**
 * Shows any character outside printable ASCII as \uXXXX (\u{XXXXX} for a code point Espruino
 * reads whole), so messages stay readable and safe. A loop, not replace(): on Espruino a regular
 * expression replace() gives a UTF-8 string's bytes back unmarked, as separate characters.
 */
export function escapeText(s: string): string {
  let r = '', i = 0, c;
  for (; i < s.length; i++) {
    c = s.charCodeAt(i);
    r += c > 31 && c < 127 ? s.charAt(i) : c > 65535 ? '\\u{' + c.toString(16) + '}' : '\\u' + (c + 65536).toString(16).slice(1);
  }
  return r;
}

/** "{kind}[ '{id}']: character 'c' is not allowed" for the first character `re` finds in s. */
export function charError(kind: string, s: string, re: RegExp, hide?: any): string | null {
  const c = re.exec(s);
  return c && kind + (hide ? '' : " '" + escapeText(s) + "'") + ": character '" + escapeText(c[0]) + "' is not allowed";
}

/**
 * Why `id` is not a valid IoT Hub id, or null when it is: "device id 'a/b': character '/' is not
 * allowed". `hide` leaves the id out (a connection string missing a `;` can glue the key into it).
 */
export function idError(kind: string, id: string, hide?: any): string | null {
  return !id ? kind + ' is empty'
    : id.length > 128 ? kind + ' is longer than 128 characters'
    : charError(kind, id, /[^\w\-.%*?!(),:=@$']/, hide);
}

/** Throws when `id` is not a valid device id. */
export function checkDeviceId(id: string): void {
  chk('device', id);
}

/** Throws when `id` is not a valid module id. */
export function checkModuleId(id: string): void {
  chk('module', id);
}

function chk(kind: string, id: string): void {
  const e = idError(kind + ' id', id);
  if (e) throw new Error(e);
}
