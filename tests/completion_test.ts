/**
 * Completion driven by pressing TAB in real shells under tmux — bash without and with
 * bash-completion, zsh and fish — against a sandbox: commands, options, choices, files and values
 * from the cluster (users, groups, secret paths segment by segment).
 */
import { assert, assertEquals } from "./assert.ts";
import { expectCode, ROOT, startTestCluster } from "./helpers.ts";
import { have, Terminal } from "./tmux.ts";

const shells = {
  tmux: await have("tmux"),
  bash: await have("bash"),
  zsh: await have("zsh"),
  fish: await have("fish"),
};
const bashCompletion = "/usr/share/bash-completion/bash_completion";
const hasBashCompletion = await Deno.stat(bashCompletion).then(() => true, () => false);
const inCi = Deno.env.get("CI") === "true";

type Shell = "bash" | "bash+bash-completion" | "zsh" | "fish";

/** Starts `shell` with dcos-security completion loaded, prompt `$ `. */
async function startShell(
  shell: Shell,
  dir: string,
  env: Record<string, string>,
): Promise<Terminal> {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  let cmd: string[];
  if (shell === "zsh") {
    await Deno.writeTextFile(
      `${dir}/.zshrc`,
      `PS1='$ '\nautoload -Uz compinit && compinit -u\neval "$(dcos-security completion zsh)"\n`,
    );
    cmd = ["env", ...envArgs, `ZDOTDIR=${dir}`, "zsh", "-i"];
  } else if (shell === "fish") {
    cmd = [
      "env",
      ...envArgs,
      "fish",
      "--no-config",
      "-C",
      "function fish_prompt; echo -n '$ '; end; dcos-security completion fish | source",
    ];
  } else {
    const pre = shell === "bash+bash-completion" ? `source ${bashCompletion}\n` : "";
    await Deno.writeTextFile(
      `${dir}/bashrc`,
      `${pre}PS1='$ '\neval "$(dcos-security completion bash)"\n`,
    );
    cmd = ["env", ...envArgs, "bash", "--noprofile", "--rcfile", `${dir}/bashrc`, "-i"];
  }
  return await Terminal.start(cmd, { dir });
}

/** Types `text`, presses TAB, and returns the command line once it shows `expected`. */
async function complete(term: Terminal, text: string, expected: string): Promise<string> {
  await term.press("C-u");
  await term.type(text);
  await term.press("Tab");
  const line = (screen: string) =>
    screen.split("\n").filter((l) => l.startsWith("$ ")).at(-1) ?? "";
  return line(await term.waitFor((s) => line(s).includes(expected)));
}

const CASES: [what: string, typed: string, expected: string][] = [
  ["a command", "dcos-security org us", "dcos-security org users"],
  ["a nested command", "dcos-security cluster secret-store seal-st", "seal-status"],
  ["an option", "dcos-security cluster ca newcert --key-al", "--key-algo"],
  ["a choice", "dcos-security org service-accounts keypair -l 40", "-l 4096"],
  ["a file", "dcos-security cluster ca sign --csr fix", "--csr fixture.csr"],
  ["a user from the cluster", "dcos-security org users show tab", "show tabby"],
  ["a group from the cluster", "dcos-security org groups members team-o", "members team-ops"],
  ["a secret path segment", "dcos-security secrets get comp", "get completion/"],
  ["the next segment", "dcos-security secrets get completion/d", "get completion/db"],
];

Deno.test({
  name: "TAB completion in real shells against the sandbox",
  ignore: !inCi && !(shells.tmux && shells.bash),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const dir = await Deno.makeTempDir({ prefix: "dcos-complete-" });
    try {
      expectCode(await c.cli(["org", "users", "create", "tabby", "-p", "tabby-pw"]), 0);
      expectCode(await c.cli(["org", "groups", "create", "team-ops"]), 0);
      expectCode(await c.cli(["secrets", "create", "completion/db", "-v", "x"]), 0);
      await Deno.writeTextFile(`${dir}/fixture.csr`, "");
      await Deno.mkdir(`${dir}/bin`);
      await Deno.writeTextFile(
        `${dir}/bin/dcos-security`,
        `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${ROOT}/main.ts" "$@"\n`,
        { mode: 0o755 },
      );
      const env = {
        ...c.env,
        PATH: `${dir}/bin:${Deno.env.get("PATH")}`,
        NO_COLOR: "1",
        TERM: "xterm",
      };
      const wanted: Shell[] = ["bash", "bash+bash-completion", "zsh", "fish"];
      for (const shell of wanted) {
        const available = shell.startsWith("bash")
          ? shells.bash && (shell === "bash" || hasBashCompletion)
          : shells[shell as "zsh" | "fish"];
        if (!available) {
          if (inCi) throw new Error(`${shell} is not installed (.ci/run installs it)`);
          continue;
        }
        await t.step(shell, async () => {
          const home = await Deno.makeTempDir({ dir });
          await Deno.writeTextFile(`${home}/fixture.csr`, "");
          const session = await startShell(shell, home, env);
          try {
            for (const [what, typed, expected] of CASES) {
              const line = await complete(session, typed, expected);
              assert(line.includes(expected), `${shell}: ${what}: typed "${typed}", got "${line}"`);
            }
          } finally {
            await session.close();
          }
        });
      }
      await t.step("completion never needs the network for --help", async () => {
        const r = await c.cli(["org", "users", "show", "--help"], {
          env: { DCOS_URL: "https://192.0.2.1:1", DCOS_ACS_TOKEN: "x" },
        });
        expectCode(r, 0);
        assertEquals(r.stderr, "");
      });
      await t.step("a dead cluster gives no suggestions, quickly and silently", async () => {
        const t0 = performance.now();
        const r = await c.cli(["completion", "bash", "org", "users", "show", ""], {
          env: { DCOS_URL: "https://127.0.0.1:1", DCOS_ACS_TOKEN: "x", DCOS_TLS_INSECURE: "1" },
        });
        expectCode(r, 0);
        assertEquals(r.stderr, "");
        assert(!r.stdout.includes("tabby"));
        assert(performance.now() - t0 < 8000);
      });
    } finally {
      await c.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
