/**
 * Shared pieces of the command tree: the dependencies every `run(opts, deps)` receives and option
 * builders used by several commands.
 * @module
 */
import { lineBreak, type Message, message, type MessageTerm, text } from "@optique/core/message";
import { optional } from "@optique/core/modifiers";
import { argument, option } from "@optique/core/primitives";
import { choice, type NonEmptyString, string } from "@optique/core/valueparser";
import { type DynamicKind, dynamicValue, fileName } from "../lib/completion.ts";
import type { Io } from "../lib/io.ts";
import type { Session } from "../lib/session.ts";

/** What every command's `run` receives: IO and a lazily opened cluster session. */
export interface Deps {
  /** Terminal IO. */
  io: Io;
  /** Opens the session for the resolved cluster (called only by commands that need it). */
  session(): Promise<Session>;
}

/** `-j/--json`. */
export const jsonFlag = () =>
  option("-j", "--json", { description: message`Output data in JSON format.` });

/** A TEXT argument with a metavar. */
export const textArg = (metavar: NonEmptyString, description?: string) =>
  argument(string({ metavar }), description ? { description: [text(description)] } : undefined);

/** A FILENAME argument or option value (`-` means stdin). */
export const fileValue = (metavar: NonEmptyString = "FILENAME") => fileName(metavar);

/** An argument whose value completes from the cluster (user, group, secret path, …). */
export const idArg = (metavar: NonEmptyString, kind: DynamicKind, description?: string) =>
  argument(
    dynamicValue(metavar, kind),
    description ? { description: [text(description)] } : undefined,
  );

/** The five IAM actions. */
export const ACTIONS = ["create", "read", "update", "delete", "full"] as const;

/** An ACTION argument limited to the IAM's actions. */
export const actionArg = () =>
  argument(choice(ACTIONS, { metavar: "ACTION" }), {
    description: message`Action to grant or revoke.`,
  });

/** `--description` for grant commands (ACL description; never overwrites an existing ACL's). */
export const aclDescription = () =>
  optional(option("--description", string({ metavar: "TEXT" }), {
    description:
      message`The description of the ACL with the given RID. If an ACL exists with the given RID then the description will not be overwritten. Default: "Created with the security CLI".`,
  }));

/** The ACL description used when `--description` is not given. */
export const DEFAULT_ACL_DESCRIPTION = "Created with the security CLI";

/** A help footer listing example command lines, one per line. */
export function examples(...lines: string[]): Message {
  const terms: MessageTerm[] = [text(lines.length > 1 ? "Examples:" : "Example:")];
  for (const line of lines) terms.push(lineBreak(), text(`  ${line}`));
  return terms;
}
