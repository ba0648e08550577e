/**
 * Builds an authenticated HTTP client for the resolved cluster: trust settings, timeout, debug
 * logging without secrets, and a one-time service-account re-login after a 401.
 * @module
 */
import { type ClusterConfig, patchToml, resolveCluster } from "./config.ts";
import { CliError } from "./errors.ts";
import { describeFsError } from "./fs_safe.ts";
import { HttpClient } from "./http.ts";
import type { Io } from "./io.ts";

/** Options for {@link openSession}. */
export interface SessionOptions {
  /** Do not require a token (login flows, anonymous endpoints). */
  anonymous?: boolean;
}

/** A cluster and a client bound to it. */
export interface Session {
  /** The resolved cluster. */
  cluster: ClusterConfig;
  /** The HTTP client. */
  http: HttpClient;
}

/** Reads the CA bundle named by the TLS settings, failing clearly. */
export async function readCaBundle(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await Deno.readTextFile(path);
  } catch (e) {
    throw new CliError(
      `cannot read CA bundle ${path}: ${
        describeFsError(e)
      } (check core.ssl_verify or DCOS_TLS_CA_PATH)`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new CliError(
      `CA bundle ${path} holds no PEM certificate (check core.ssl_verify or DCOS_TLS_CA_PATH)`,
    );
  }
  return pem;
}

/** Whether debug logging is on (`DCOS_DEBUG`, `DCOS_VERBOSITY>=1`, `DCOS_LOG_LEVEL=debug|info`). */
export function debugEnabled(io: Io): boolean {
  return Boolean(io.env("DCOS_DEBUG")) || Number(io.env("DCOS_VERBOSITY") ?? 0) >= 1 ||
    ["debug", "info"].includes((io.env("DCOS_LOG_LEVEL") ?? "").toLowerCase());
}

/** Creates an HTTP client for a cluster config. */
export async function clientFor(io: Io, cluster: ClusterConfig): Promise<HttpClient> {
  const caPem = cluster.tls.caPath && !cluster.tls.insecure
    ? await readCaBundle(cluster.tls.caPath)
    : undefined;
  const http: HttpClient = new HttpClient({
    baseUrl: cluster.url,
    token: cluster.token,
    caPem,
    insecure: cluster.tls.insecure,
    timeoutMs: cluster.timeoutSec * 1000,
    debug: debugEnabled(io) ? (line) => io.err(line) : undefined,
    relogin: cluster.loginUid && cluster.privateKeyPath
      ? async () => {
        const { serviceLogin } = await import("./login.ts");
        io.err(`Token rejected; logging in again as ${cluster.loginUid}`);
        const token = await serviceLogin(http, cluster.loginUid!, cluster.privateKeyPath!);
        if (cluster.configPath) {
          await patchToml(cluster.configPath, { core: { dcos_acs_token: token } });
        }
        return token;
      }
      : undefined,
  });
  return http;
}

/** Resolves the cluster and returns a session; without a token, says how to log in. */
export async function openSession(io: Io, options: SessionOptions = {}): Promise<Session> {
  const cluster = await resolveCluster(io.env);
  if (!cluster.token && !options.anonymous && !(cluster.loginUid && cluster.privateKeyPath)) {
    throw new CliError(
      `not logged in to ${cluster.url}: run \`dcos-security auth login --url ${cluster.url} --username <uid>\``,
    );
  }
  const http = await clientFor(io, cluster);
  return { cluster, http };
}
