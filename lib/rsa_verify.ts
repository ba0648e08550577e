/**
 * RSASSA-PKCS1-v1_5 signature verification with BigInt, for RSA keys larger than 4096 bits: Deno's
 * WebCrypto imports them but refuses to verify with them. Public-key operation only; the whole
 * encoded message is compared, as RFC 8017 §8.2.2 requires.
 * @module
 */

/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1), hex. */
const DIGEST_INFO: Record<string, string> = {
  "SHA-1": "3021300906052b0e03021a05000414",
  "SHA-256": "3031300d060960864801650304020105000420",
  "SHA-384": "3041300d060960864801650304020205000430",
  "SHA-512": "3051300d060960864801650304020305000440",
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
  const prefixHex = DIGEST_INFO[hash];
  if (!prefixHex) return false;
  const prefix = Uint8Array.fromHex(prefixHex);
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
