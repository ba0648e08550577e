/**
 * Which cluster to talk to, resolved like the dcos CLI and its plugins: the plugin environment
 * first (`DCOS_URL`, `DCOS_ACS_TOKEN`, `DCOS_TLS_INSECURE`, `DCOS_TLS_CA_PATH`), then
 * `DCOS_DIR`/`DCOS_CLUSTER` and the attached cluster's `dcos.toml`, with `DCOS_SSL_VERIFY` and
 * `DCOS_TIMEOUT` overriding the file.
 * @module
 */
import { CliError } from "./errors.ts";
import { describeFsError, exists, writeFileAtomic } from "./fs_safe.ts";

/** TLS settings for one cluster. */
export interface TlsSettings {
  /** Skip certificate verification (`ssl_verify = "false"`). */
  insecure: boolean;
  /** Path of a CA bundle to trust instead of the system store. */
  caPath?: string;
}

/** A resolved cluster: where it is, how to trust it and who we are on it. */
export interface ClusterConfig {
  /** Where the settings came from. */
  source: "environment" | "dcos.toml";
  /** Cluster URL without a trailing slash. */
  url: string;
  /** The DC/OS auth token, if logged in. */
  token?: string;
  /** TLS settings. */
  tls: TlsSettings;
  /** Request timeout in seconds. */
  timeoutSec: number;
  /** Cluster id (directory name under `clusters/`), for dcos.toml clusters. */
  id?: string;
  /** Cluster name from `[cluster] name`. */
  name?: string;
  /** Path of the dcos.toml this came from. */
  configPath?: string;
  /** Service account uid to log in again with after a 401. */
  loginUid?: string;
  /** Private key path for re-login after a 401. */
  privateKeyPath?: string;
}

/** Environment lookup used by the resolver (the process env by default). */
export type EnvLookup = (name: string) => string | undefined;

/** Default request timeout, seconds (the Go dcos CLI's). */
export const DEFAULT_TIMEOUT_SEC = 180;

/** The dcos CLI's configuration directory (`DCOS_DIR`, default `~/.dcos`), made absolute. */
export function dcosDir(env: EnvLookup): string {
  const dir = env("DCOS_DIR");
  if (dir) return dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  const home = env("HOME") ?? env("USERPROFILE");
  if (!home) throw new CliError("cannot find the home directory: set HOME or DCOS_DIR");
  return `${home}/.dcos`;
}

/** The hint shown whenever no cluster can be found. */
export const LOGIN_HINT =
  "no cluster is configured: run `dcos-security auth login --url https://<cluster> --username <uid>` " +
  "(or set DCOS_URL and DCOS_ACS_TOKEN)";

/** Parses an `ssl_verify` value: `true`, `false` or a CA bundle path. */
export function parseSslVerify(value: unknown): TlsSettings {
  const v = typeof value === "boolean" ? String(value) : String(value ?? "true").trim();
  if (v === "" || v.toLowerCase() === "true") return { insecure: false };
  if (v.toLowerCase() === "false") return { insecure: true };
  return { insecure: false, caPath: v };
}

function parseTimeout(value: unknown, where: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n <= 0) {
    throw new CliError(
      `invalid timeout ${JSON.stringify(String(value))} in ${where}: expected seconds`,
    );
  }
  return n;
}

/** Resolves the cluster to use, or throws a {@link CliError} saying how to log in. */
export async function resolveCluster(env: EnvLookup): Promise<ClusterConfig> {
  const url = env("DCOS_URL");
  if (url) {
    const insecure = ["1", "true", "yes"].includes((env("DCOS_TLS_INSECURE") ?? "").toLowerCase());
    const tls: TlsSettings = { insecure, caPath: insecure ? undefined : env("DCOS_TLS_CA_PATH") };
    const cfg: ClusterConfig = {
      source: "environment",
      url: url.replace(/\/+$/, ""),
      token: env("DCOS_ACS_TOKEN") || undefined,
      tls,
      timeoutSec: DEFAULT_TIMEOUT_SEC,
      loginUid: env("DCOS_SECURITY_LOGIN_UID") || undefined,
      privateKeyPath: env("DCOS_SECURITY_PRIVATE_KEY_PATH") || undefined,
    };
    applyEnvOverrides(cfg, env);
    return cfg;
  }
  const located = await locateConfig(env);
  if (!located) throw new CliError(LOGIN_HINT);
  const cfg = await readClusterConfig(located.path, located.id);
  applyEnvOverrides(cfg, env);
  return cfg;
}

function applyEnvOverrides(cfg: ClusterConfig, env: EnvLookup): void {
  const sslVerify = env("DCOS_SSL_VERIFY");
  if (sslVerify !== undefined && sslVerify !== "") cfg.tls = parseSslVerify(sslVerify);
  const timeout = env("DCOS_TIMEOUT");
  if (timeout) cfg.timeoutSec = parseTimeout(timeout, "DCOS_TIMEOUT");
}

/** The dcos.toml of the chosen cluster: `DCOS_CLUSTER`, the only cluster, or the attached one. */
export async function locateConfig(
  env: EnvLookup,
): Promise<{ path: string; id?: string } | undefined> {
  const root = dcosDir(env);
  const clustersDir = `${root}/clusters`;
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(clustersDir)) {
      if (e.isDirectory && await exists(`${clustersDir}/${e.name}/dcos.toml`)) ids.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new CliError(`cannot read ${clustersDir}: ${describeFsError(e)}`);
    }
    const legacy = `${root}/dcos.toml`;
    return await exists(legacy) ? { path: legacy } : undefined;
  }
  ids.sort();
  const wanted = env("DCOS_CLUSTER");
  if (wanted) {
    if (ids.includes(wanted)) return { path: `${clustersDir}/${wanted}/dcos.toml`, id: wanted };
    const byName: string[] = [];
    for (const id of ids) {
      const cfg = await readToml(`${clustersDir}/${id}/dcos.toml`);
      const name = (cfg.cluster as Record<string, unknown> | undefined)?.name;
      if (name === wanted || id.startsWith(wanted)) byName.push(id);
    }
    if (byName.length === 1) {
      return { path: `${clustersDir}/${byName[0]}/dcos.toml`, id: byName[0] };
    }
    throw new CliError(
      byName.length
        ? `DCOS_CLUSTER=${wanted} matches several clusters: ${byName.join(", ")}`
        : `no cluster named or with id ${wanted} in ${clustersDir}`,
    );
  }
  if (ids.length === 0) return undefined;
  if (ids.length === 1) return { path: `${clustersDir}/${ids[0]}/dcos.toml`, id: ids[0] };
  const attached: string[] = [];
  for (const id of ids) if (await exists(`${clustersDir}/${id}/attached`)) attached.push(id);
  if (attached.length === 1) {
    return { path: `${clustersDir}/${attached[0]}/dcos.toml`, id: attached[0] };
  }
  if (attached.length > 1) throw new CliError("multiple clusters are attached: set DCOS_CLUSTER");
  throw new CliError(
    "no cluster is attached: set DCOS_CLUSTER to one of " + ids.join(", ") +
      " or run `dcos-security auth login --url ...`",
  );
}

/** Reads and parses a TOML file; a missing file is an empty table. */
export async function readToml(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw new CliError(`cannot read ${path}: ${describeFsError(e)}`);
  }
  const { parse } = await import("smol-toml");
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new CliError(`cannot parse ${path}: ${reason}`);
  }
}

/** Reads one cluster's dcos.toml into a {@link ClusterConfig}. */
export async function readClusterConfig(path: string, id?: string): Promise<ClusterConfig> {
  const doc = await readToml(path);
  const core = (doc.core ?? {}) as Record<string, unknown>;
  const cluster = (doc.cluster ?? {}) as Record<string, unknown>;
  const security = (doc.security ?? {}) as Record<string, unknown>;
  const url = core.dcos_url;
  if (typeof url !== "string" || url === "") {
    throw new CliError(
      `${path} has no core.dcos_url: ${LOGIN_HINT.replace(/^no cluster is configured: /, "")}`,
    );
  }
  return {
    source: "dcos.toml",
    url: url.replace(/\/+$/, ""),
    token: typeof core.dcos_acs_token === "string" && core.dcos_acs_token
      ? core.dcos_acs_token
      : undefined,
    tls: parseSslVerify(core.ssl_verify),
    timeoutSec: core.timeout === undefined ? DEFAULT_TIMEOUT_SEC : parseTimeout(core.timeout, path),
    id,
    name: typeof cluster.name === "string" ? cluster.name : undefined,
    configPath: path,
    loginUid: typeof security.login_uid === "string" ? security.login_uid : undefined,
    privateKeyPath: typeof security.private_key_path === "string"
      ? security.private_key_path
      : undefined,
  };
}

/** Changes to apply to a dcos.toml: `undefined` leaves a key alone, `null` removes it. */
export type TomlPatch = Record<
  string,
  Record<string, string | number | boolean | null | undefined>
>;

/**
 * Updates only the given keys of a dcos.toml (creating it and its directory), written 0600 and
 * atomically. Other keys and sections are kept; comments are not (smol-toml drops them).
 */
export async function patchToml(path: string, patch: TomlPatch): Promise<void> {
  const doc = await readToml(path);
  for (const [section, values] of Object.entries(patch)) {
    const table = (doc[section] ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) {
      if (v === null) delete table[k];
      else if (v !== undefined) table[k] = v;
    }
    if (Object.keys(table).length) doc[section] = table;
    else delete doc[section];
  }
  const { stringify } = await import("smol-toml");
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, stringify(doc) + "\n", { mode: 0o600, overwrite: true });
}
