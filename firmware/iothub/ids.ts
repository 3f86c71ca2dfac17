// Device and module ids go into MQTT topics, usernames and SAS resource URIs unencoded, so they
// are checked once, up front. IoT Hub allows 1-128 ASCII characters: alphanumerics plus
// - . % _ * ? ! ( ) , : = @ $ '  (its docs once listed + and # too: those are MQTT wildcards,
// and / splits topic levels, so all three are refused here).

const OK = /^[A-Za-z0-9\-.%_*?!(),:=@$']$/;

/** Shows any character outside printable ASCII as \uXXXX, so messages stay readable and safe. */
export function escapeText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4));
}

/**
 * Why `id` is not a valid IoT Hub id, or null when it is: "device id 'a/b': character '/' is not
 * allowed". `hide` leaves the id out (a connection string missing a `;` can glue the key into it).
 */
export function idError(kind: string, id: string, hide?: boolean): string | null {
  let p: string | null = null;
  if (typeof id != 'string' || !id) p = ' is empty';
  else if (id.length > 128) p = ' is longer than 128 characters';
  else
    for (let i = 0; i < id.length && !p; i++) {
      const c = id.charAt(i);
      if (!OK.test(c)) p = (hide ? ': ' : " '" + escapeText(id) + "': ") + "character '" + escapeText(c) + "' is not allowed";
    }
  return p && kind + p;
}

/** Throws when `id` is not a valid device id. */
export function checkDeviceId(id: string): void {
  chk('device id', id);
}

/** Throws when `id` is not a valid module id. */
export function checkModuleId(id: string): void {
  chk('module id', id);
}

function chk(kind: string, id: string): void {
  const e = idError(kind, id);
  if (e) throw new Error(e);
}
