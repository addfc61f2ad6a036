import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as X509 from '@peculiar/x509';

/** The share listener's identity: a self-signed certificate and its key, as PEM. */
export interface ShareIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), "AB:CD:…": what desks pin and Settings shows */
  fingerprint: string;
}

type CryptoKeyPairLike = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

/** The files in the data dir (mode 0600). */
export const CERT_FILE = 'share-cert.pem';
export const KEY_FILE = 'share-key.pem';

/** The SHA-256 fingerprint of a PEM certificate, "AB:CD:…". */
export function fingerprintOf(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

/**
 * The stored certificate, or a new one on first start: ECDSA P-256, self-signed, valid
 * 20 years (desks pin it; a renewal would mean pairing every desk again). Kept beside
 * keys.json with mode 0600, never in the database.
 */
export async function loadOrCreateIdentity(dataDir: string, name: string, now: number): Promise<ShareIdentity> {
  const certFile = path.join(dataDir, CERT_FILE);
  const keyFile = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    const key = fs.readFileSync(keyFile, 'utf8');
    return { cert, key, fingerprint: fingerprintOf(cert) };
  }
  // Loaded only to make a certificate: @peculiar/x509 with reflect-metadata costs several MB
  // of the service's memory, and most services never share or already have theirs.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const subtle = crypto.webcrypto.subtle;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const made = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: crypto.randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${name.replace(/[,=+<>#;"\\]/g, ' ')}`,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 20 * 365 * 86_400_000),
      signingAlgorithm: alg,
      keys: keys as unknown as CryptoKeyPairLike,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ],
    },
    crypto.webcrypto as unknown as Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const cert = made.toString('pem') + '\n';
  writePrivate(keyFile, key);
  writePrivate(certFile, cert);
  return { cert, key, fingerprint: fingerprintOf(cert) };
}
