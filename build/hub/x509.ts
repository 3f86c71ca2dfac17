// X.509 certificates made with node:crypto alone, for the hub's CA and the test PKI.
// Why not a package: the hub must be able to sign an RSA server certificate with an EC CA made by an
// earlier version (Espruino's mbedTLS needs the RSA key, SDKs have pinned the CA), and `selfsigned`
// uses one key type for the signer and the subject. The encoding is DER as RFC 5280 asks: v3,
// positive random serial, UTCTime before 2050, issuer name copied byte for byte from the CA.
import { type KeyObject, X509Certificate, createHash, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

export type KeyKind = 'rsa' | 'ec';

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const genKeyPair = promisify(generateKeyPair);

/** RSA 2048 (what Azure IoT Hub and Espruino's mbedTLS use) or EC P-256. Off the event loop. */
export function newKeyPair(kind: KeyKind): Promise<KeyPair> {
  return kind === 'rsa' ? genKeyPair('rsa', { modulusLength: 2048 }) : genKeyPair('ec', { namedCurve: 'P-256' });
}

export interface CertSpec {
  commonName: string;
  role: 'ca' | 'server' | 'client';
  /** DNS names and IP addresses the certificate names (subjectAltName); for servers. */
  names?: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface Signer {
  privateKey: KeyObject;
  /** The signer's certificate (PEM); absent for a self-signed certificate. */
  cert?: string;
}

// --- DER encoding -------------------------------------------------------------------------------

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** An unsigned big-endian integer as a DER INTEGER (a zero byte in front when the top bit is set). */
const uint = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b);

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Zulu. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const name = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

/** A DER NamedBitList: bits numbered from the top of the first byte, trailing zero bits dropped. */
function bits(on: number[]): Buffer {
  const last = Math.max(...on);
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (const i of on) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return tlv(0x03, Buffer.of(7 - (last & 7)), bytes);
}

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.of(0xff))] : []), tlv(0x04, value));
}

// --- reading the few fields we need back out of a certificate ------------------------------------

interface Node {
  tag: number;
  /** Offsets of the whole element and of its contents. */
  start: number;
  body: number;
  end: number;
}

function read(b: Buffer, at: number): Node {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i]!;
    body += n;
  }
  if (body + len > b.length) throw new Error('certificate: truncated DER');
  return { tag, start: at, body, end: body + len };
}

function children(b: Buffer, n: Node): Node[] {
  const out: Node[] = [];
  for (let at = n.body; at < n.end; at = out[out.length - 1]!.end) out.push(read(b, at));
  return out;
}

/** The subject name (DER, as written) and the subjectKeyIdentifier (if any) of a certificate. */
export function subjectOf(certPem: string): { name: Buffer; keyId?: Buffer } {
  const der = Buffer.from(new X509Certificate(certPem).raw);
  const tbs = children(der, read(der, 0))[0]!;
  const f = children(der, tbs);
  const i = f[0]!.tag === 0xa0 ? 1 : 0; // [0] version is optional (v1)
  const subject = f[i + 4]!;
  const out: { name: Buffer; keyId?: Buffer } = { name: der.subarray(subject.start, subject.end) };
  const exts = f.find((x) => x.tag === 0xa3);
  if (exts) {
    for (const e of children(der, children(der, exts)[0]!)) {
      const [id, ...rest] = children(der, e);
      if (!der.subarray(id!.start, id!.end).equals(oid('2.5.29.14'))) continue;
      const value = rest[rest.length - 1]!; // OCTET STRING holding an OCTET STRING
      const inner = read(der, value.body);
      out.keyId = der.subarray(inner.body, inner.end);
    }
  }
  return out;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): Buffer {
  const [, bitString] = children(spki, read(spki, 0));
  return createHash('sha1').update(spki.subarray(bitString!.body + 1, bitString!.end)).digest();
}

// --- issuing --------------------------------------------------------------------------------------

const ALG: Record<string, Buffer> = {
  rsa: seq(oid('1.2.840.113549.1.1.11'), tlv(0x05)), // sha256WithRSAEncryption, NULL parameters
  ec: seq(oid('1.2.840.10045.4.3.2')), // ecdsa-with-SHA256, no parameters
};

function sanEntry(n: string): Buffer {
  const v = isIP(n);
  if (!v) return tlv(0x82, Buffer.from(n, 'ascii'));
  const bytes = v === 4 ? Buffer.from(n.split('.').map(Number)) : ipv6(n);
  return tlv(0x87, bytes);
}

function ipv6(a: string): Buffer {
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function extensions(spec: CertSpec, subjectKeyId: Buffer, issuerKeyId: Buffer | undefined, subjectKind: string): Buffer[] {
  const out = [ext('2.5.29.19', true, spec.role === 'ca' ? seq(tlv(0x01, Buffer.of(0xff))) : seq())];
  // keyUsage bits: 0 digitalSignature, 2 keyEncipherment, 5 keyCertSign, 6 cRLSign. An RSA server
  // needs keyEncipherment too: Espruino's mbedTLS offers the plain RSA key exchange.
  const usage = spec.role === 'ca' ? [5, 6] : spec.role === 'server' && subjectKind === 'rsa' ? [0, 2] : [0];
  out.push(ext('2.5.29.15', true, bits(usage)));
  if (spec.role !== 'ca') out.push(ext('2.5.29.37', false, seq(oid(spec.role === 'server' ? '1.3.6.1.5.5.7.3.1' : '1.3.6.1.5.5.7.3.2'))));
  if (spec.names?.length) out.push(ext('2.5.29.17', false, seq(...spec.names.map(sanEntry))));
  out.push(ext('2.5.29.14', false, tlv(0x04, subjectKeyId)));
  if (issuerKeyId) out.push(ext('2.5.29.35', false, seq(tlv(0x80, issuerKeyId))));
  return out;
}

/** A certificate (PEM) for `subject`'s public key, signed by `signer` (SHA-256, RSA or ECDSA by its key). */
export function issueCert(spec: CertSpec, subject: KeyObject, signer: Signer): string {
  const spki = subject.export({ type: 'spki', format: 'der' });
  const ownId = keyId(spki);
  const issuer = signer.cert ? subjectOf(signer.cert) : { name: name(spec.commonName), keyId: ownId };
  const signerKind = signer.privateKey.asymmetricKeyType;
  if (signerKind !== 'rsa' && signerKind !== 'ec') throw new Error(`certificate: cannot sign with a ${signerKind} key`);
  if (spec.notAfter <= spec.notBefore) throw new Error('certificate: notAfter must be after notBefore');
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const tbs = seq(
    tlv(0xa0, uint(Buffer.of(2))), // v3
    uint(serial),
    ALG[signerKind]!,
    issuer.name,
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.commonName),
    spki,
    tlv(0xa3, seq(...extensions(spec, ownId, signer.cert ? issuer.keyId : undefined, subject.asymmetricKeyType!))),
  );
  const signature = sign('sha256', tbs, signer.privateKey);
  const der = seq(tbs, ALG[signerKind]!, tlv(0x03, Buffer.of(0), signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

/** The private key as unencrypted PKCS#8 PEM. */
export const keyPem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
