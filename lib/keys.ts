/**
 * Service-account keys: RSA key pairs made locally with WebCrypto, private keys as PKCS#8 PEM
 * (what DC/OS SDK services parse), public keys as SPKI PEM, and the public-key check the IAM applies.
 * @module
 */
import { CliError } from "./errors.ts";
import { pemToDer, toPem } from "./pki.ts";

/** A PEM key pair. */
export interface PemKeyPair {
  /** PKCS#8 `BEGIN PRIVATE KEY` PEM. */
  privateKeyPem: string;
  /** SPKI `BEGIN PUBLIC KEY` PEM. */
  publicKeyPem: string;
}

/** Generates an RSA key pair of `bits` (2048 or 4096) with WebCrypto. */
export async function generateRsaKeyPair(bits: number): Promise<PemKeyPair> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", pair.privateKey);
  const spki = await crypto.subtle.exportKey("spki", pair.publicKey);
  return { privateKeyPem: toPem(pkcs8, "PRIVATE KEY"), publicKeyPem: toPem(spki, "PUBLIC KEY") };
}

/**
 * Returns why `pem` is not an RSA SubjectPublicKeyInfo PEM key (what the IAM accepts for service
 * accounts), or undefined when it is one.
 */
export async function rsaPublicKeyProblem(pem: string): Promise<string | undefined> {
  if (!/^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/.test(pem)) {
    if (pem.includes("-----BEGIN RSA PUBLIC KEY-----")) {
      return "it is a PKCS#1 RSA public key; SPKI (BEGIN PUBLIC KEY) is needed: convert it with " +
        "`openssl rsa -RSAPublicKey_in -in KEY -pubout`";
    }
    if (/PRIVATE KEY-----/.test(pem)) {
      return "it is a private key; give the public key (BEGIN PUBLIC KEY)";
    }
    return "it is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)";
  }
  const der = pemToDer(pem, "PUBLIC KEY");
  if (!der) return "the PEM block is not valid base64";
  try {
    await crypto.subtle.importKey(
      "spki",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    return undefined;
  } catch {
    return "it is not an RSA SubjectPublicKeyInfo key";
  }
}

/** Checks that a PEM is an RSA SubjectPublicKeyInfo key; `what` names it in the error. */
export async function checkRsaPublicKey(pem: string, what: string): Promise<void> {
  const problem = await rsaPublicKeyProblem(pem);
  if (problem) throw new CliError(`${what}: ${problem}`);
}
