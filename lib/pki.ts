/**
 * Local PKI helpers over WebCrypto and `@peculiar/x509`, loaded lazily so `--help` stays fast.
 * @module
 */

/** The `@peculiar/x509` module type. */
export type X509Module = typeof import("@peculiar/x509");

let x509Promise: Promise<X509Module> | undefined;

/** Loads `@peculiar/x509` once (with `reflect-metadata` first) and binds it to WebCrypto. */
export function loadX509(): Promise<X509Module> {
  x509Promise ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(crypto);
    return x509;
  })();
  return x509Promise;
}

/** Encodes DER bytes as PEM with the given label and a trailing newline. */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = new Uint8Array(der instanceof Uint8Array ? der : new Uint8Array(der)).toBase64();
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Hex SHA-256 of DER bytes, upper case with colons (as openssl prints fingerprints). */
export async function sha256Fingerprint(der: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** Decodes the first PEM block with the given label (or any label) to DER. */
export function pemToDer(pem: string, label?: string): Uint8Array<ArrayBuffer> | undefined {
  const re = label
    ? new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`)
    : /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/;
  const m = pem.match(re);
  if (!m) return undefined;
  try {
    return Uint8Array.fromBase64(m[1].replace(/\s+/g, "")) as Uint8Array<ArrayBuffer>;
  } catch {
    return undefined;
  }
}
