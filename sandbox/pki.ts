/**
 * The sandbox's certificate authority: a root CA made on first start and the HTTPS server
 * certificate it signs for 127.0.0.1/localhost.
 * @module
 */
import { loadX509, toPem } from "../lib/pki.ts";

/** A certificate and its PKCS#8 private key, as PEM. */
export interface CertAndKey {
  /** Certificate PEM. */
  certPem: string;
  /** PKCS#8 private key PEM. */
  keyPem: string;
}

const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return b.toHex();
}

/** Creates the sandbox root CA (RSA 2048, 10 years). */
export async function createRootCa(commonName: string): Promise<CertAndKey> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(RSA, true, ["sign", "verify"]);
  const now = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}, O=dcos-security sandbox`,
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * 365 * 86400_000),
    signingAlgorithm: RSA,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem") + "\n", keyPem: toPem(pkcs8, "PRIVATE KEY") };
}

/** Issues a TLS server certificate (ECDSA P-256, 1 year) for the given hosts, signed by `ca`. */
export async function issueServerCert(
  ca: CertAndKey,
  hosts: readonly string[],
): Promise<CertAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importCaKey(ca.keyPem);
  const ec = { name: "ECDSA", namedCurve: "P-256" };
  const keys = await crypto.subtle.generateKey(ec, true, ["sign", "verify"]);
  const now = new Date(Date.now() - 60_000);
  const names = hosts.map((h) =>
    /^[0-9.]+$/.test(h) || h.includes(":")
      ? { type: "ip" as const, value: h }
      : { type: "dns" as const, value: h }
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${hosts[0]}, O=dcos-security sandbox`,
    issuer: caCert.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    signingAlgorithm: RSA,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem") + "\n", keyPem: toPem(pkcs8, "PRIVATE KEY") };
}

/** Imports the CA's PKCS#8 RSA key for signing. */
export async function importCaKey(keyPem: string): Promise<CryptoKey> {
  const b64 = keyPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return await crypto.subtle.importKey("pkcs8", Uint8Array.fromBase64(b64), RSA, false, ["sign"]);
}
