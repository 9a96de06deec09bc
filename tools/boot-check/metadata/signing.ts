/**
 * The signatures of dynamic/instance-identity/: `signature` (base64 RSA-SHA256 of the document),
 * `pkcs7` and `rsa2048` (a detached PKCS #7 SignedData, base64 without PEM lines, as EC2 serves
 * them). EC2 signs with a regional key whose certificate AWS publishes; the emulator signs with a
 * throwaway RSA key and self-signed certificate made once per process, at the first use, so that
 * clients can check the signatures the way AWS documents (`openssl smime -verify -content document
 * -certfile certificate`) against `identityCertificatePem()`.
 *
 * The DER is written here (a few tags suffice) rather than by starting openssl: the emulator runs in
 * tests and in `emi metadata-server` with nothing but Node.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

// ---------------------------------------------------------------- DER

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let left = size; left > 0; left = Math.floor(left / 256)) bytes.unshift(left % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const explicit = (number: number, ...content: Buffer[]) => tlv(0xa0 + number, ...content);
const octets = (content: Buffer) => tlv(0x04, content);
const nothing = Buffer.from([0x05, 0x00]);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));

function integer(value: Buffer | number): Buffer {
  let bytes = typeof value === 'number' ? Buffer.from([value]) : value;
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.subarray(1);
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const group: number[] = [part & 0x7f];
    for (let left = Math.floor(part / 128); left > 0; left = Math.floor(left / 128))
      group.unshift(0x80 | (left & 0x7f));
    bytes.push(...group);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const two = (value: number) => String(value).padStart(2, '0');
  const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(
    date.getUTCHours(),
  )}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const sha256 = sequence(oid('2.16.840.1.101.3.4.2.1'), nothing);
const rsaEncryption = sequence(oid('1.2.840.113549.1.1.1'), nothing);
const sha256WithRsa = sequence(oid('1.2.840.113549.1.1.11'), nothing);

// ---------------------------------------------------------------- the throwaway key

interface Signer {
  privateKey: KeyObject;
  name: Buffer;
  serial: Buffer;
  certificate: Buffer;
}

let signer: Signer | undefined;

function makeSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const name = sequence(
    set(sequence(oid('2.5.4.10'), utf8('emi-toolkit'))),
    set(sequence(oid('2.5.4.3'), utf8('emi metadata emulator, throwaway identity key'))),
  );
  const serial = integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)]));
  const now = Date.now();
  const tbs = sequence(
    explicit(0, integer(2)),
    serial,
    sha256WithRsa,
    name,
    sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 30 * 86400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const certificate = sequence(
    tbs,
    sha256WithRsa,
    tlv(0x03, Buffer.from([0]), sign('sha256', tbs, privateKey)),
  );
  return { privateKey, name, serial, certificate };
}

function getSigner(): Signer {
  signer ??= makeSigner();
  return signer;
}

function base64Lines(der: Buffer): string {
  return (der.toString('base64').match(/.{1,64}/g) ?? []).join('\n');
}

/** The certificate of the throwaway key, as PEM: what a client verifies the signatures with. */
export function identityCertificatePem(): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Lines(getSigner().certificate)}\n-----END CERTIFICATE-----\n`;
}

/** `signature`: the document's RSA-SHA256 signature, base64 in lines of 64. */
export function identitySignature(document: string): string {
  return base64Lines(sign('sha256', Buffer.from(document, 'utf8'), getSigner().privateKey));
}

/**
 * `pkcs7` and `rsa2048`: a detached PKCS #7 SignedData over the document (SHA-256, RSA, no signed
 * attributes, no certificate inside: EC2 leaves it out too), base64 in lines of 64, no PEM lines.
 */
export function identityPkcs7(document: string): string {
  const { privateKey, name, serial } = getSigner();
  const content = Buffer.from(document, 'utf8');
  const signerInfo = sequence(
    integer(1),
    sequence(name, serial),
    sha256,
    rsaEncryption,
    octets(sign('sha256', content, privateKey)),
  );
  const signedData = sequence(
    integer(1),
    set(sha256),
    sequence(oid('1.2.840.113549.1.7.1')),
    set(signerInfo),
  );
  return base64Lines(sequence(oid('1.2.840.113549.1.7.2'), explicit(0, signedData)));
}

/** The SHA-256 of the certificate, for a log line that says which key signed. */
export function identityCertificateSha256(): string {
  return createHash('sha256').update(getSigner().certificate).digest('hex');
}
