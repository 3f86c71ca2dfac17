// A server certificate the host would not trust, said so a user can act on it: which CA it was
// checked against, and where to give the right one. Node (OpenSSL) reports these as codes such as
// SELF_SIGNED_CERT_IN_CHAIN; the code stays at the end of the line, for searching.

/** What each OpenSSL/Node verification code means for the server's certificate. */
const PROBLEMS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'is signed by a CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed, and not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is signed by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'is signed by a CA that is not trusted',
  CERT_SIGNATURE_FAILURE: 'carries a signature that the trusted CA did not make',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'does not name the host connected to',
};

/** Codes that a different CA would cure (rather than a new server certificate or host name). */
const WRONG_CA = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE']);

/**
 * `reason` (a platform's words for a failed connection) explained when it is a certificate the
 * host did not trust; `ca` names the CA in use (e.g. "--ca hub-ca.pem", "the system's trusted
 * CAs"), `giveCa` where to give another (e.g. `--ca <file.pem> or the config's "ca"`).
 */
export function untrustedServer(reason: string, ca: string, giveCa: string): string | undefined {
  const code = Object.keys(PROBLEMS).find((c) => reason.includes(c));
  if (!code) return undefined;
  const cure = WRONG_CA.has(code) ? `; give the CA that signed the server's certificate with ${giveCa}` : '';
  return `the server's certificate ${PROBLEMS[code]} (checked against ${ca})${cure} [${code}]`;
}
