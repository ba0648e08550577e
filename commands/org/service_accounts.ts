/**
 * `org service-accounts`: create, delete, keypair and show for service accounts.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { choice, string } from "@optique/core/valueparser";
import { CliError, UsageError } from "../../lib/errors.ts";
import { exists, writeFileAtomic } from "../../lib/fs_safe.ts";
import { IamClient } from "../../lib/iam.ts";
import { readInputText } from "../../lib/input.ts";
import { checkRsaPublicKey, generateRsaKeyPair } from "../../lib/keys.ts";
import { type Deps, examples, fileValue, idArg, jsonFlag, textArg } from "../common.ts";
import { showUsers } from "./users.ts";

const create = command(
  "create",
  object({
    cmd: constant("org.service-accounts.create"),
    publicKey: optional(option("-p", "--public-key", fileValue(), {
      description: message`Path to public key to use, ${"-"} reads from STDIN.`,
    })),
    secret: optional(option("-s", "--secret", string({ metavar: "TEXT" }), {
      description:
        message`Passphrase to use (legacy shared-secret accounts; not supported by DC/OS 2.x).`,
    })),
    description: optional(option("-d", "--description", string({ metavar: "TEXT" }), {
      description:
        message`Description of the newly created service account. ID of the account is used by default.`,
    })),
    sid: textArg("SID"),
  }),
  {
    description:
      message`Create service account identified by SID. ${"--public-key"} and ${"--secret"} options are mutually exclusive.`,
    footer: examples(
      "dcos-security org service-accounts keypair sa-priv.pem sa-pub.pem",
      'dcos-security org service-accounts create my-sa -p sa-pub.pem -d "My service"',
    ),
  },
);

const del = command(
  "delete",
  object({ cmd: constant("org.service-accounts.delete"), sid: idArg("SID", "service-account") }),
  {
    description: message`Delete service account identified by SID.`,
    footer: examples("dcos-security org service-accounts delete my-sa"),
  },
);

const keypair = command(
  "keypair",
  object({
    cmd: constant("org.service-accounts.keypair"),
    keyLength: withDefault(
      option("-l", "--key-length", choice(["2048", "4096"], { metavar: "BITS" }), {
        description: message`Length of the RSA key.`,
      }),
      "2048" as const,
    ),
    force: option("--force", { description: message`Overwrite existing key files.` }),
    privateKey: argument(fileValue("PRIVATE_KEY"), {
      description: message`Where to write the private key (PKCS#8 PEM, mode 0600).`,
    }),
    publicKey: argument(fileValue("PUBLIC_KEY"), {
      description: message`Where to write the public key (SPKI PEM).`,
    }),
  }),
  {
    description:
      message`Create public-private keypair for use with service accounts. The key is made locally; the private key is written with mode 0600, atomically, and existing files are kept unless ${"--force"} is given.`,
    footer: examples("dcos-security org service-accounts keypair -l 4096 sa-priv.pem sa-pub.pem"),
  },
);

const show = command(
  "show",
  object({
    cmd: constant("org.service-accounts.show"),
    json: jsonFlag(),
    sids: multiple(idArg("SIDS", "service-account")),
  }),
  {
    description:
      message`Print details of a service account identified by SID, or of all service accounts.`,
    footer: examples(
      "dcos-security org service-accounts show",
      "dcos-security org service-accounts show my-sa --json",
    ),
  },
);

/** The `service-accounts` command group. */
export const serviceAccountsCommand = command("service-accounts", or(create, del, keypair, show), {
  description: message`Service accounts manipulation.`,
  footer: examples("dcos-security org service-accounts show"),
});

/** Parsed options of any `org service-accounts` command. */
export type ServiceAccountsOptions = InferValue<typeof serviceAccountsCommand>;

/** Runs an `org service-accounts` command. */
export async function run(opts: ServiceAccountsOptions, deps: Deps): Promise<void> {
  switch (opts.cmd) {
    case "org.service-accounts.create": {
      if (opts.secret !== undefined && opts.publicKey !== undefined) {
        throw new UsageError("--public-key and --secret are mutually exclusive");
      }
      if (opts.secret !== undefined) {
        throw new CliError(
          "shared-secret service accounts (--secret) do not exist in DC/OS 2.x: create a key pair with " +
            "`dcos-security org service-accounts keypair PRIV PUB` and pass --public-key PUB",
        );
      }
      if (opts.publicKey === undefined) {
        throw new UsageError(
          "missing --public-key FILE (or - for stdin): service accounts are created from a public key",
        );
      }
      const pem = await readInputText(deps.io, opts.publicKey, "public key");
      await checkRsaPublicKey(
        pem,
        `public key ${opts.publicKey === "-" ? "from stdin" : opts.publicKey}`,
      );
      const iam = new IamClient((await deps.session()).http);
      await iam.createUser(
        opts.sid,
        { description: opts.description ?? opts.sid, public_key: pem },
        `create service account ${opts.sid}`,
      );
      return;
    }
    case "org.service-accounts.delete": {
      const iam = new IamClient((await deps.session()).http);
      await iam.deleteUser(opts.sid, `delete service account ${opts.sid}`);
      return;
    }
    case "org.service-accounts.keypair":
      return await writeKeypair(deps, opts);
    case "org.service-accounts.show":
      return await showUsers(deps, opts.sids, { json: opts.json, service: true });
  }
}

async function writeKeypair(
  deps: Deps,
  opts: { privateKey: string; publicKey: string; keyLength: string; force: boolean },
): Promise<void> {
  if (opts.privateKey === opts.publicKey) {
    throw new UsageError("PRIVATE_KEY and PUBLIC_KEY must be different files");
  }
  if (opts.privateKey === "-" || opts.publicKey === "-") {
    throw new UsageError("keypair writes files; - is not allowed");
  }
  if (!opts.force) {
    for (const p of [opts.privateKey, opts.publicKey]) {
      if (await exists(p)) {
        throw new CliError(`refusing to overwrite existing file ${p} (use --force to replace it)`);
      }
    }
  }
  const bits = Number(opts.keyLength);
  if (bits > 2048 && deps.io.stderrIsTty()) deps.io.err(`Generating a ${bits}-bit RSA key...`);
  const pair = await generateRsaKeyPair(bits);
  await writeFileAtomic(opts.privateKey, pair.privateKeyPem, {
    mode: 0o600,
    overwrite: opts.force,
  });
  try {
    await writeFileAtomic(opts.publicKey, pair.publicKeyPem, {
      mode: 0o644,
      overwrite: opts.force,
    });
  } catch (e) {
    await Deno.remove(opts.privateKey).catch(() => {});
    throw e;
  }
}
