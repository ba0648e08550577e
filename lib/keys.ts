/**
 * Service-account keys: RSA key pairs made locally with WebCrypto, private keys as PKCS#8 PEM
 * (what DC/OS SDK services parse), public keys as SPKI PEM; private keys read in PKCS#1 or PKCS#8.
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { CliError } from "./errors.ts";
import { toPem } from "./pki.ts";

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

/** Parses a private key PEM (PKCS#1, PKCS#8 or SEC1); `what` names it in errors. */
export function parsePrivateKey(pem: string, what: string): KeyObject {
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) {
      throw new CliError(
        `${what} is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)`,
      );
    }
    throw new CliError(
      `${what} is not a PEM private key (expected BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)`,
    );
  }
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new CliError(`${what} cannot be parsed: ${e instanceof Error ? e.message : e}`);
  }
}

/** Parses an RSA private key and returns it as PKCS#8 PEM. */
export function rsaPrivateKeyToPkcs8(pem: string, what: string): string {
  const key = parsePrivateKey(pem, what);
  if (key.asymmetricKeyType !== "rsa") {
    throw new CliError(`${what} is a ${key.asymmetricKeyType} key; an RSA private key is required`);
  }
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Checks that a PEM is an RSA SubjectPublicKeyInfo key (what the IAM accepts). */
export function checkRsaPublicKey(pem: string, what: string): void {
  if (!pem.includes("-----BEGIN PUBLIC KEY-----")) {
    if (pem.includes("-----BEGIN RSA PUBLIC KEY-----")) {
      throw new CliError(
        `${what} is a PKCS#1 RSA public key; the IAM needs SPKI (BEGIN PUBLIC KEY): ` +
          "convert it with `openssl rsa -RSAPublicKey_in -in KEY -pubout`",
      );
    }
    if (/PRIVATE KEY-----/.test(pem)) {
      throw new CliError(`${what} is a private key; give the public key (BEGIN PUBLIC KEY)`);
    }
    throw new CliError(`${what} is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new CliError(`${what} cannot be parsed: ${e instanceof Error ? e.message : e}`);
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new CliError(`${what} is a ${key.asymmetricKeyType} key; service accounts need RSA keys`);
  }
}
