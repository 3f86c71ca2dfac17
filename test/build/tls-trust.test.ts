import { describe, expect, it } from 'vitest';
import { untrustedServer } from '../../build/tls-trust.js';

describe('untrustedServer', () => {
  it('says a certificate from an unknown CA with the CA in use and where to give another', () => {
    expect(untrustedServer('SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain', "the system's trusted CAs", '--ca <file.pem>')).toBe(
      "the server's certificate is signed by a CA that is not trusted (checked against the system's trusted CAs); give the CA that signed the server's certificate with --ca <file.pem> [SELF_SIGNED_CERT_IN_CHAIN]",
    );
  });

  it('does not offer another CA where it would not help', () => {
    const m = untrustedServer("ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames", '--ca ca.pem', '--ca <file.pem>');
    expect(m).toBe("the server's certificate does not name the host connected to (checked against --ca ca.pem) [ERR_TLS_CERT_ALTNAME_INVALID]");
  });

  it('leaves other failures alone', () => {
    expect(untrustedServer('connect ECONNREFUSED 127.0.0.1:1', 'x', 'y')).toBeUndefined();
  });
});
