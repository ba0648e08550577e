/**
 * `auth login | logout | status`: log in to a cluster without the dcos CLI and keep the result in
 * the dcos CLI's own `dcos.toml`, so both tools share it.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import {
  type ClusterConfig,
  dcosDir,
  locateConfig,
  patchToml,
  readClusterConfig,
  resolveCluster,
} from "../lib/config.ts";
import { CliError, UsageError } from "../lib/errors.ts";
import { exists, writeFileAtomic } from "../lib/fs_safe.ts";
import { bodyJson, HttpClient } from "../lib/http.ts";
import { IamClient } from "../lib/iam.ts";
import { readSecret } from "../lib/input.ts";
import {
  decodeJwtPayload,
  fetchPinnedCa,
  readPrivateKeyFile,
  serviceLoginToken,
} from "../lib/login.ts";
import { emit } from "../lib/output.ts";
import { readCaBundle } from "../lib/session.ts";
import { type Deps, examples, fileValue, jsonFlag } from "./common.ts";

const login = command(
  "login",
  object({
    cmd: constant("auth.login"),
    url: optional(option("--url", string({ metavar: "URL" }), {
      description: message`Cluster URL (default: the current cluster).`,
    })),
    username: optional(option("-u", "--username", string({ metavar: "UID" }), {
      description: message`User or service-account ID (default: DCOS_USERNAME).`,
    })),
    password: optional(option("--password", string({ metavar: "TEXT" }), {
      description:
        message`Password (visible in ps and shell history: prefer --password-file or the prompt).`,
    })),
    passwordFile: optional(option("--password-file", fileValue("FILE"), {
      description: message`Read the password from FILE (${"-"} for stdin).`,
    })),
    passwordEnv: optional(option("--password-env", string({ metavar: "VAR" }), {
      description:
        message`Read the password from environment variable VAR (DCOS_PASSWORD is used when set).`,
    })),
    privateKey: optional(option("--private-key", fileValue("FILE"), {
      description:
        message`Log in as a service account with this RSA private key (PKCS#1 or PKCS#8).`,
    })),
    caCert: optional(option("--ca-cert", fileValue("FILE"), {
      description: message`Trust this CA bundle for the cluster.`,
    })),
    caFingerprint: optional(option("--ca-fingerprint", string({ metavar: "SHA256" }), {
      description:
        message`Fetch the cluster CA and trust it only if its SHA-256 fingerprint matches.`,
    })),
    insecure: option("--insecure", {
      description: message`Do not verify the cluster's TLS certificate.`,
    }),
    name: optional(
      option("--name", string({ metavar: "NAME" }), {
        description: message`Name for the cluster.`,
      }),
    ),
  }),
  {
    description:
      message`Log in to a cluster and store the token in the dcos CLI's dcos.toml (mode 0600). Attaches the cluster if none is attached.`,
    footer: examples(
      "dcos-security auth login --url https://master.example.com --username alice",
      "dcos-security auth login --url https://10.0.0.1 --ca-fingerprint 3A:7F:... --username alice --password-file pw.txt",
      "dcos-security auth login --url https://master.example.com --username my-sa --private-key sa-priv.pem",
    ),
  },
);

const logout = command("logout", object({ cmd: constant("auth.logout") }), {
  description: message`Forget the current cluster's token (and stored service-account login).`,
  footer: examples("dcos-security auth logout"),
});

const status = command("status", object({ cmd: constant("auth.status"), json: jsonFlag() }), {
  description:
    message`Show the current cluster, URL, user, token expiry and where the token is stored. Exits 1 when not logged in.`,
  footer: examples("dcos-security auth status --json"),
});

/** The `auth` command group. */
export const authCommand = command("auth", or(login, logout, status), {
  description: message`Log in to a cluster and show the login status.`,
  footer: examples(
    "dcos-security auth login --url https://master.example.com --username alice",
    "dcos-security auth status",
  ),
});

/** Parsed options of any `auth` command. */
export type AuthOptions = InferValue<typeof authCommand>;
type LoginOptions = Extract<AuthOptions, { cmd: "auth.login" }>;

/** Runs an `auth` command. */
export async function run(opts: AuthOptions, deps: Deps): Promise<void> {
  switch (opts.cmd) {
    case "auth.login":
      return await runLogin(opts, deps);
    case "auth.logout":
      return await runLogout(deps);
    case "auth.status":
      return await runStatus(opts.json, deps);
  }
}

async function currentCluster(deps: Deps): Promise<ClusterConfig | undefined> {
  const located = await locateConfig(deps.io.env).catch(() => undefined);
  return located
    ? await readClusterConfig(located.path, located.id).catch(() => undefined)
    : undefined;
}

async function runLogin(opts: LoginOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const tlsChoices =
    [opts.caCert, opts.caFingerprint, opts.insecure || undefined].filter(Boolean).length;
  if (tlsChoices > 1) {
    throw new UsageError("give only one of --ca-cert, --ca-fingerprint and --insecure");
  }
  const current = await currentCluster(deps);
  const rawUrl = opts.url ?? current?.url;
  if (!rawUrl) throw new UsageError("missing --url: no cluster is configured yet");
  let url: URL;
  try {
    url = new URL(rawUrl.includes("://") ? rawUrl : `https://${rawUrl}`);
  } catch {
    throw new UsageError(`invalid --url ${rawUrl}`);
  }
  const baseUrl = url.origin + url.pathname.replace(/\/+$/, "");
  const sameCluster = current && current.url === baseUrl ? current : undefined;
  const uid = opts.username ?? io.env("DCOS_USERNAME") ?? sameCluster?.loginUid;
  if (!uid) throw new UsageError("missing --username");
  const keyPath = opts.privateKey ??
    (uid === sameCluster?.loginUid ? sameCluster?.privateKeyPath : undefined);
  if (keyPath && (opts.password ?? opts.passwordFile ?? opts.passwordEnv) !== undefined) {
    throw new UsageError("give either a password option or --private-key, not both");
  }

  // Trust: pinned CA, given CA, insecure, or what the cluster already had.
  let caPem: string | undefined;
  let insecure = opts.insecure;
  if (opts.caCert) caPem = await readCaBundle(opts.caCert);
  else if (!opts.caFingerprint && !opts.insecure && sameCluster) {
    insecure = sameCluster.tls.insecure;
    if (sameCluster.tls.caPath) caPem = await readCaBundle(sameCluster.tls.caPath);
  }
  if (opts.caFingerprint) {
    const probe = new HttpClient({ baseUrl, insecure: true, timeoutMs: 30_000 });
    try {
      caPem = await fetchPinnedCa(probe, opts.caFingerprint);
    } finally {
      probe.close();
    }
  }
  const http = new HttpClient({
    baseUrl,
    caPem,
    insecure,
    timeoutMs: (sameCluster?.timeoutSec ?? 60) * 1000,
  });
  try {
    const iam = new IamClient(http);
    let token: string;
    let absKeyPath: string | undefined;
    if (keyPath) {
      const pem = await readPrivateKeyFile(keyPath, (l) => io.err(l));
      token = await iam.login({
        uid,
        token: await serviceLoginToken(uid, pem, `private key ${keyPath}`),
      });
      absKeyPath = keyPath.startsWith("/") ? keyPath : `${Deno.cwd()}/${keyPath}`;
    } else {
      const password = await readSecret(io, {
        value: opts.password,
        file: opts.passwordFile,
        env: opts.passwordEnv ??
          (opts.password === undefined && opts.passwordFile === undefined &&
              io.env("DCOS_PASSWORD") !== undefined
            ? "DCOS_PASSWORD"
            : undefined),
      }, {
        what: "password",
        hint: "--password-file FILE|-, --password-env VAR, or --private-key FILE",
      });
      token = await iam.login({ uid, password: password! });
    }
    const id = await clusterId(http, baseUrl);
    const dir = `${dcosDir(io.env)}/clusters/${id}`;
    const configPath = `${dir}/dcos.toml`;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    let sslVerify: string;
    if (insecure) sslVerify = "false";
    else if (caPem && (opts.caCert || opts.caFingerprint)) {
      sslVerify = `${dir}/dcos_ca.crt`;
      await writeFileAtomic(sslVerify, caPem, { mode: 0o644, overwrite: true });
    } else sslVerify = sameCluster?.tls.caPath ?? "true";
    await patchToml(configPath, {
      core: { dcos_url: baseUrl, dcos_acs_token: token, ssl_verify: sslVerify },
      cluster: { name: opts.name ?? sameCluster?.name ?? url.hostname },
      security: { login_uid: absKeyPath ? uid : null, private_key_path: absKeyPath ?? null },
    });
    await attachIfNone(`${dcosDir(io.env)}/clusters`, dir);
    io.err(`Logged in to ${baseUrl} as ${uid}; token stored in ${configPath}`);
  } finally {
    http.close();
  }
}

async function clusterId(http: HttpClient, baseUrl: string): Promise<string> {
  try {
    const res = await http.request("GET", "/metadata", {
      anonymous: true,
      what: "read cluster metadata",
    });
    const id = bodyJson<{ CLUSTER_ID?: string }>(res).CLUSTER_ID;
    if (id && /^[A-Za-z0-9._-]+$/.test(id)) return id;
  } catch {
    // fall back to an id derived from the URL
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(baseUrl)),
  );
  return digest.toHex().slice(0, 32);
}

async function attachIfNone(clustersDir: string, dir: string): Promise<void> {
  for await (const e of Deno.readDir(clustersDir)) {
    if (e.isDirectory && await exists(`${clustersDir}/${e.name}/attached`)) return;
  }
  await Deno.writeFile(`${dir}/attached`, new Uint8Array(), { mode: 0o644 });
}

async function runLogout(deps: Deps): Promise<void> {
  const located = await locateConfig(deps.io.env);
  if (!located) throw new CliError("no cluster is configured; nothing to log out of");
  await patchToml(located.path, {
    core: { dcos_acs_token: null },
    security: { login_uid: null, private_key_path: null },
  });
  deps.io.err(`Logged out: token removed from ${located.path}`);
}

async function runStatus(json: boolean, deps: Deps): Promise<void> {
  const cluster = await resolveCluster(deps.io.env);
  const claims = cluster.token ? decodeJwtPayload(cluster.token) : undefined;
  const exp = typeof claims?.exp === "number" ? new Date(claims.exp * 1000) : undefined;
  const expired = exp ? exp.getTime() <= Date.now() : false;
  const tls = cluster.tls.insecure ? "false" : cluster.tls.caPath ?? "true";
  const view: Record<string, unknown> = {
    cluster: cluster.name ?? cluster.id ?? "(environment)",
    cluster_id: cluster.id ?? "",
    url: cluster.url,
    uid: typeof claims?.uid === "string" ? claims.uid : "",
    logged_in: Boolean(cluster.token) && !expired,
    token_expires: exp ? exp.toISOString() : "",
    token_source: cluster.source === "environment"
      ? "environment (DCOS_ACS_TOKEN)"
      : cluster.configPath ?? "",
    ssl_verify: tls,
  };
  if (cluster.loginUid) view.service_account_key = cluster.privateKeyPath ?? "";
  await emit(deps.io, view, { json });
  if (!cluster.token) {
    throw new CliError(`not logged in to ${cluster.url}: run \`dcos-security auth login\``);
  }
  if (expired) {
    throw new CliError(
      `the token for ${cluster.url} expired at ${
        exp!.toISOString()
      }: run \`dcos-security auth login\``,
    );
  }
}
