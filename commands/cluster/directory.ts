/**
 * `cluster directory`: the LDAP configuration, its test, and user and group import.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { CliError } from "../../lib/errors.ts";
import { IdentityClient } from "../../lib/identity.ts";
import { readInputText, readSecret } from "../../lib/input.ts";
import { emit } from "../../lib/output.ts";
import { type Deps, examples, fileValue, jsonFlag } from "../common.ts";

const getConfig = command(
  "get_config",
  object({ cmd: constant("cluster.directory.get_config"), json: jsonFlag() }),
  {
    description: message`Retrieve current LDAP configuration.`,
    footer: examples("dcos-security cluster directory get_config --json"),
  },
);

const test = command(
  "test",
  object({
    cmd: constant("cluster.directory.test"),
    json: jsonFlag(),
    passwordFile: optional(
      option("--password-file", fileValue("FILE"), {
        description: message`Read the password from FILE (${"-"} for stdin).`,
      }),
    ),
    passwordEnv: optional(
      option("--password-env", string({ metavar: "VAR" }), {
        description: message`Read the password from environment variable VAR.`,
      }),
    ),
    uid: argument(string({ metavar: "UID" })),
    password: optional(argument(string({ metavar: "PASSWORD" }), {
      description:
        message`The user's password (or --password-file, --password-env, or the prompt).`,
    })),
  }),
  {
    description:
      message`Test connection to the LDAP backend: simulate a login of UID and report what was tried and what failed. Exits 1 when the test fails.`,
    footer: examples(
      "dcos-security cluster directory test alice --password-file alice.pw",
      "dcos-security cluster directory test alice   # asks for the password",
    ),
  },
);

const importUser = command(
  "import_user",
  object({
    cmd: constant("cluster.directory.import_user"),
    uid: argument(string({ metavar: "UID" })),
  }),
  {
    description: message`Import an LDAP user from the configured directory (LDAP) backend.`,
    footer: examples("dcos-security cluster directory import_user alice"),
  },
);

const importGroup = command(
  "import_group",
  object({
    cmd: constant("cluster.directory.import_group"),
    gid: argument(string({ metavar: "GID" })),
  }),
  {
    description:
      message`Import an LDAP group and its members (up to 100 users per import; run it again for more).`,
    footer: examples("dcos-security cluster directory import_group engineers"),
  },
);

const setConfig = command(
  "set_config",
  object({ cmd: constant("cluster.directory.set_config"), file: argument(fileValue("FILE")) }),
  {
    description:
      message`Store the LDAP configuration from a JSON file (${"-"} for stdin), as the API's LDAPConfiguration; checked before sending.`,
    footer: examples("dcos-security cluster directory set_config ldap.json"),
  },
);

const deleteConfig = command(
  "delete_config",
  object({ cmd: constant("cluster.directory.delete_config") }),
  {
    description: message`Delete the LDAP configuration.`,
    footer: examples("dcos-security cluster directory delete_config"),
  },
);

/** The `directory` command group. */
export const directoryCommand = command(
  "directory",
  or(deleteConfig, getConfig, importGroup, importUser, setConfig, test),
  {
    description: message`Manage LDAP related settings.`,
    footer: examples("dcos-security cluster directory test alice --password-file alice.pw"),
  },
);

/** Parsed options of any `cluster directory` command. */
export type DirectoryOptions = InferValue<typeof directoryCommand>;

const KEYS: Record<string, "string" | "integer" | "boolean" | "object"> = {
  host: "string",
  port: "integer",
  "enforce-starttls": "boolean",
  "use-ldaps": "boolean",
  dntemplate: "string",
  "lookup-dn": "string",
  "lookup-password": "string",
  "user-search": "object",
  "group-search": "object",
  "ca-certs": "string",
  "client-cert": "string",
};

/** Checks an LDAPConfiguration document locally; returns the problem or undefined. */
export function checkLdapConfig(cfg: unknown): string | undefined {
  if (!cfg || typeof cfg !== "object" || Array.isArray(cfg)) {
    return "the configuration must be a JSON object";
  }
  const c = cfg as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (!(k in KEYS)) {
      return `unknown key "${k}" (keys are kebab-case: ${Object.keys(KEYS).join(", ")})`;
    }
  }
  for (const k of ["host", "port", "enforce-starttls", "use-ldaps"]) {
    if (!(k in c)) return `"${k}" is required`;
  }
  for (const [k, v] of Object.entries(c)) {
    const t = KEYS[k];
    const ok = {
      integer: () => Number.isInteger(v),
      object: () => Boolean(v) && typeof v === "object" && !Array.isArray(v),
      string: () => typeof v === "string",
      boolean: () => typeof v === "boolean",
    }[t]();
    if (!ok) return `"${k}" must be ${t === "integer" ? "an integer" : `a ${t}`}`;
  }
  for (const k of ["user-search", "group-search"]) {
    const s = c[k] as Record<string, unknown> | undefined;
    if (
      s && (typeof s["search-base"] !== "string" || typeof s["search-filter-template"] !== "string")
    ) {
      return `"${k}" needs "search-base" and "search-filter-template"`;
    }
  }
  if (!c.dntemplate && !c["user-search"]) return `give "dntemplate" or "user-search"`;
  if (c["use-ldaps"] && c["enforce-starttls"]) {
    return `"use-ldaps" and "enforce-starttls" cannot both be true`;
  }
  return undefined;
}

/** Runs a `cluster directory` command. */
export async function run(opts: DirectoryOptions, deps: Deps): Promise<void> {
  if (opts.cmd === "cluster.directory.set_config") {
    const text = await readInputText(deps.io, opts.file, "configuration file");
    let cfg: unknown;
    try {
      cfg = JSON.parse(text);
    } catch (e) {
      throw new CliError(
        `${opts.file === "-" ? "stdin" : opts.file} is not valid JSON: ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
    const problem = checkLdapConfig(cfg);
    if (problem) {
      throw new CliError(
        `invalid LDAP configuration in ${opts.file === "-" ? "stdin" : opts.file}: ${problem}`,
      );
    }
    return await new IdentityClient((await deps.session()).http).setLdapConfig(
      cfg as Record<string, unknown>,
    );
  }
  let password: string | undefined;
  if (opts.cmd === "cluster.directory.test") {
    password = await readSecret(deps.io, {
      value: opts.password,
      file: opts.passwordFile,
      env: opts.passwordEnv,
    }, {
      what: "password",
      hint: "PASSWORD, --password-file FILE|- or --password-env VAR",
    });
  }
  const client = new IdentityClient((await deps.session()).http);
  switch (opts.cmd) {
    case "cluster.directory.get_config":
      return await emit(deps.io, await client.getLdapConfig(), opts);
    case "cluster.directory.delete_config":
      return await client.deleteLdapConfig();
    case "cluster.directory.import_user":
      return await client.importUser(opts.uid);
    case "cluster.directory.import_group": {
      const r = await client.importGroup(opts.gid);
      if (r.partial) {
        deps.io.err(
          `Partial import: ${
            r.importedUserCount ?? "some"
          } users imported; the group has more members. Run the import again for the rest.`,
        );
      }
      return;
    }
    case "cluster.directory.test": {
      const r = await client.testLdap(opts.uid, password!);
      if (opts.json) {
        await emit(deps.io, { code: r.code, description: r.description }, { json: true });
      } else {await emit(deps.io, {
          code: r.code,
          description: r.description,
          result: r.ok ? "passed" : "failed",
        });}
      if (!r.ok) throw new CliError(`LDAP test failed (${r.code}): ${r.description}`);
      return;
    }
  }
}
