/**
 * RSASSA-PKCS1-v1_5 signature verification with BigInt, for RSA keys larger than 4096 bits: Deno's
 * WebCrypto imports them but refuses to verify with them. Public-key operation only; the whole
 * encoded message is compared, as RFC 8017 §8.2.2 requires.
 * @module
 */

const DIGEST_INFO: Record<string, number[]> = {
  "SHA-1": [
    0x30,
    0x21,
    0x30,
    0x09,
    0x06,
    0x05,
    0x2b,
    0x0e,
    0x03,
    0x02,
    0x1a,
    0x05,
    0x00,
    0x04,
    0x14,
  ],
  "SHA-256": [
    0x30,
    0x31,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x01,
    0x05,
    0x00,
    0x04,
    0x20,
  ],
  "SHA-384": [
    0x30,
    0x41,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x02,
    0x05,
    0x00,
    0x04,
    0x30,
  ],
  "SHA-512": [
    0x30,
    0x51,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x03,
    0x05,
    0x00,
    0x04,
    0x40,
  ],
};

function toBigInt(b: Uint8Array): bigint {
  return b.length ? BigInt("0x" + b.toHex()) : 0n;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/** Verifies an RSASSA-PKCS1-v1_5 signature over `data` with an RSA public key. */
export async function verifyRsaPkcs1(
  publicKey: CryptoKey,
  hash: string,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const prefix = DIGEST_INFO[hash];
  if (!prefix) return false;
  const jwk = await crypto.subtle.exportKey("jwk", publicKey);
  const nBytes = Uint8Array.fromBase64(jwk.n!, { alphabet: "base64url" });
  const n = toBigInt(nBytes);
  const e = toBigInt(Uint8Array.fromBase64(jwk.e!, { alphabet: "base64url" }));
  const k = nBytes[0] === 0 ? nBytes.length - 1 : nBytes.length;
  if (signature.length !== k) return false;
  const s = toBigInt(signature);
  if (s >= n) return false;
  const em = modPow(s, e, n).toString(16).padStart(k * 2, "0");
  const digest = new Uint8Array(await crypto.subtle.digest(hash, data));
  const t = [...prefix, ...digest];
  const expected = new Uint8Array(k);
  expected[0] = 0;
  expected[1] = 1;
  expected.fill(0xff, 2, k - t.length - 1);
  expected[k - t.length - 1] = 0;
  expected.set(t, k - t.length);
  return em === expected.toHex();
}
