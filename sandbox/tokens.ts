/**
 * Sandbox auth tokens: RS256 JWTs `{uid, exp}` signed with a key made on first start, the JWKS
 * that publishes it, password hashing, and service-account login-token checks.
 * @module
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { exportJWK, importPKCS8, importSPKI, jwtVerify, SignJWT } from "jose";
import { toPem } from "../lib/pki.ts";
import type { State } from "./state.ts";

/** Default token lifetime: 5 days, as DC/OS. */
export const TOKEN_LIFETIME_SEC = 5 * 86400;

/** Issues and verifies the sandbox's auth tokens. */
export class Tokens {
  #privateKey: CryptoKey;
  #publicKey: CryptoKey;
  #jwk: Record<string, string>;

  private constructor(privateKey: CryptoKey, publicKey: CryptoKey, jwk: Record<string, string>) {
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#jwk = jwk;
  }

  /** Loads the signing key from the state, creating it on first start. */
  static async open(state: State): Promise<Tokens> {
    let pkcs8 = state.get("iam.jwt_private_key");
    let spki = state.get("iam.jwt_public_key");
    if (!pkcs8 || !spki) {
      const pair = await crypto.subtle.generateKey(
        {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        true,
        ["sign", "verify"],
      );
      pkcs8 = toPem(await crypto.subtle.exportKey("pkcs8", pair.privateKey), "PRIVATE KEY");
      spki = toPem(await crypto.subtle.exportKey("spki", pair.publicKey), "PUBLIC KEY");
      state.set("iam.jwt_private_key", pkcs8);
      state.set("iam.jwt_public_key", spki);
    }
    const privateKey = await importPKCS8(pkcs8, "RS256") as CryptoKey;
    const publicKey = await importSPKI(spki, "RS256", { extractable: true }) as CryptoKey;
    const jwk = await exportJWK(publicKey) as Record<string, string>;
    const n = BigInt("0x" + Uint8Array.fromBase64(jwk.n, { alphabet: "base64url" }).toHex());
    const e = BigInt("0x" + Uint8Array.fromBase64(jwk.e, { alphabet: "base64url" }).toHex());
    const kid = createHash("sha256").update(`${e}${n}RSA`).digest("hex");
    return new Tokens(privateKey, publicKey, {
      kid,
      kty: "RSA",
      n: jwk.n,
      e: jwk.e,
      alg: "RS256",
      use: "sig",
    });
  }

  /** Issues a token for `uid` valid for `lifetimeSec` seconds. */
  async issue(uid: string, lifetimeSec = TOKEN_LIFETIME_SEC): Promise<string> {
    return await new SignJWT({ uid })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.#jwk.kid })
      .setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSec)
      .sign(this.#privateKey);
  }

  /** Verifies a token; returns its uid, or undefined when invalid or expired. */
  async verify(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, { algorithms: ["RS256"] });
      return typeof payload.uid === "string" ? payload.uid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The JWKS document. */
  jwks(): { keys: Record<string, string>[] } {
    return { keys: [{ ...this.#jwk }] };
  }
}

/** Checks a service-account login token: RS256 by the account's key, `uid` matches, `exp` within 10 min. */
export async function verifyServiceLoginToken(
  token: string,
  uid: string,
  publicKeyPem: string,
): Promise<boolean> {
  try {
    const key = await importSPKI(publicKeyPem, "RS256");
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["RS256"],
      requiredClaims: ["exp"],
    });
    if (payload.uid !== uid) return false;
    return (payload.exp ?? 0) <= Math.floor(Date.now() / 1000) + 600 + 30;
  } catch {
    return false;
  }
}

const SCRYPT_N = 16384;

/** Hashes a password with scrypt (`scrypt$N$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(
      password,
      salt,
      32,
      { N: SCRYPT_N },
      (err, key) =>
        err
          ? reject(err)
          : resolve(`scrypt$${SCRYPT_N}$${salt.toString("base64")}$${key.toString("base64")}`),
    )
  );
}

/** Verifies a password against a {@link hashPassword} hash in constant time. */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, saltB64, hashB64] = stored.split("$");
  if (scheme !== "scrypt") return Promise.resolve(false);
  const expected = Uint8Array.fromBase64(hashB64);
  return new Promise((resolve) =>
    scrypt(
      password,
      Uint8Array.fromBase64(saltB64),
      expected.length,
      { N: Number(n) },
      (err, key) => resolve(!err && timingSafeEqual(key, expected)),
    )
  );
}
