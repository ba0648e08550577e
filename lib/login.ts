/**
 * Logging in: password login, service-account login with an RS256 login token signed locally,
 * fetching and pinning the cluster CA by fingerprint, and saving the result to dcos.toml.
 * @module
 */
import { CliError } from "./errors.ts";
import { describeFsError } from "./fs_safe.ts";
import type { HttpClient } from "./http.ts";
import { bodyText } from "./http.ts";
import { IamClient } from "./iam.ts";
import { privateKeyToPkcs8 } from "./key_format.ts";
import { pemToDer, sha256Fingerprint } from "./pki.ts";

/** Reads a private key file, warning if it is readable by others. */
export async function readPrivateKeyFile(
  path: string,
  warn?: (line: string) => void,
): Promise<string> {
  try {
    const info = await Deno.stat(path);
    if (info.mode !== null && (info.mode & 0o077) !== 0 && warn) {
      warn(
        `Warning: private key ${path} is readable by others (mode ${
          (info.mode & 0o777).toString(8)
        }); chmod 600 it`,
      );
    }
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new CliError(`cannot read private key ${path}: ${describeFsError(e)}`);
  }
}

/** Builds the service login token `{uid, exp = now + 5 min}` signed RS256 with `keyPem` (PKCS#1 or #8). */
export async function serviceLoginToken(
  uid: string,
  keyPem: string,
  what = "private key",
): Promise<string> {
  const parsed = await privateKeyToPkcs8(keyPem, what);
  if (parsed.algo !== "rsa") {
    throw new CliError(`${what} is an ECDSA key; service-account login needs an RSA key`);
  }
  const rs256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const key = await crypto.subtle.importKey("pkcs8", parsed.der, rs256, false, ["sign"]);
  const { SignJWT } = await import("jose");
  return await new SignJWT({ uid })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(key);
}

/** Logs in as a service account with its private key file; returns the auth token. */
export async function serviceLogin(
  http: HttpClient,
  uid: string,
  keyPath: string,
): Promise<string> {
  const pem = await readPrivateKeyFile(keyPath);
  const token = await serviceLoginToken(uid, pem, `private key ${keyPath}`);
  return await new IamClient(http).login({ uid, token });
}

/** Downloads `/ca/dcos-ca.crt` without verification and returns it only if its SHA-256 matches. */
export async function fetchPinnedCa(http: HttpClient, fingerprint: string): Promise<string> {
  const want = fingerprint.replace(/^sha256:/i, "").replace(/[:\s]/g, "").toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(want)) {
    throw new CliError(
      `--ca-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)`,
    );
  }
  const res = await http.request("GET", "/ca/dcos-ca.crt", {
    anonymous: true,
    accept: "*/*",
    what: "fetch the cluster CA",
  });
  const pem = bodyText(res);
  const der = pemToDer(pem, "CERTIFICATE");
  if (!der) throw new CliError("the cluster's /ca/dcos-ca.crt is not a PEM certificate");
  const got = (await sha256Fingerprint(der)).replaceAll(":", "");
  if (got !== want) {
    throw new CliError(
      `the cluster CA's fingerprint ${colonHex(got)} does not match --ca-fingerprint ${
        colonHex(want)
      }: not trusting it`,
    );
  }
  return pem.endsWith("\n") ? pem : pem + "\n";
}

function colonHex(hex: string): string {
  return hex.match(/../g)!.join(":");
}

/** Decodes a JWT's payload without verifying it (for display only). */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    return JSON.parse(
      new TextDecoder().decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })),
    );
  } catch {
    return undefined;
  }
}
