/**
 * Public-key checks the IAM applies to service accounts.
 * @module
 */
import { createPublicKey } from "node:crypto";

/** Returns why `pem` is not an RSA SubjectPublicKeyInfo PEM key, or undefined when it is. */
export function checkRsaPublicKeyPem(pem: string): string | undefined {
  if (!/^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/.test(pem)) {
    return "expected a PEM-encoded SubjectPublicKeyInfo (-----BEGIN PUBLIC KEY-----)";
  }
  try {
    const key = createPublicKey({ key: pem, format: "pem" });
    if (key.asymmetricKeyType !== "rsa") {
      return `unsupported key type ${key.asymmetricKeyType}, RSA required`;
    }
  } catch (e) {
    return `cannot parse key: ${e instanceof Error ? e.message : e}`;
  }
  return undefined;
}
