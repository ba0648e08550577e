/**
 * Secrets typed at a terminal: no-echo prompts for passwords, secret values and unseal keys, run
 * in a real terminal (tmux). What is typed never appears on the screen.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { expectCode, loginAs, ROOT, startTestCluster } from "./helpers.ts";
import { have, Terminal } from "./tmux.ts";

const inCi = Deno.env.get("CI") === "true";

Deno.test({
  name: "no-echo prompts on a terminal",
  ignore: !inCi && !(await have("tmux")),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const dir = await Deno.makeTempDir({ prefix: "dcos-prompt-" });
    await Deno.writeTextFile(
      `${dir}/dcos-security`,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${ROOT}/main.ts" "$@"\n`,
      { mode: 0o755 },
    );
    const envArgs = Object.entries({
      ...c.env,
      PATH: `${dir}:${Deno.env.get("PATH")}`,
      NO_COLOR: "1",
    }).map(([k, v]) => `${k}=${v}`);
    const term = await Terminal.start(["env", ...envArgs, "bash", "--noprofile", "--norc", "-i"], {
      dir,
      ready: "$",
    });
    const run = async (line: string) => {
      await term.type(line);
      await term.press("Enter");
    };
    const answer = async (prompt: string, text: string) => {
      const screen = await term.waitFor((s) => s.trimEnd().endsWith(prompt));
      assert(screen.trimEnd().endsWith(prompt), `waiting for "${prompt}", screen:\n${screen}`);
      await term.type(text);
      await term.press("Enter");
    };
    const done = async (marker: string) => {
      await run(`echo ${marker}=$?`);
      const screen = await term.waitFor((s) => new RegExp(`^${marker}=\\d+`, "m").test(s));
      return { screen, code: Number(screen.match(new RegExp(`^${marker}=(\\d+)`, "m"))?.[1]) };
    };
    try {
      await t.step("users create asks for the password twice without echo", async () => {
        await run("dcos-security org users create prompted -d Prompted");
        await answer("Password:", "typed-pw-123");
        await answer("Repeat password:", "typed-pw-123");
        const { screen, code } = await done("RC1");
        assertEquals(code, 0, screen);
        assert(!screen.includes("typed-pw-123"), "the password was echoed");
        await loginAs(c.sandbox.info, "prompted", "typed-pw-123", dir);
      });

      await t.step("a mismatched repeat fails and creates nothing", async () => {
        await run("clear; dcos-security org users create mismatch");
        await answer("Password:", "first-pw-1");
        await answer("Repeat password:", "second-pw-2");
        const { screen, code } = await done("RC2");
        assertEquals(code, 1);
        assertStringIncludes(screen, "Error: the two passwords do not match");
        expectCode(await c.cli(["org", "users", "show", "mismatch"]), 1);
      });

      await t.step("secrets create asks for the value", async () => {
        await run("clear; dcos-security secrets create prompted/value");
        await answer("Value for prompted/value:", "typed secret value");
        const { screen, code } = await done("RC3");
        assertEquals(code, 0);
        assert(!screen.includes("typed secret value"));
        assertEquals(
          (await c.cli(["secrets", "get", "prompted/value"])).stdout,
          "typed secret value",
        );
      });

      await t.step("errors are red on a terminal, plain with NO_COLOR or when piped", async () => {
        await run("clear; env -u NO_COLOR dcos-security secrets get no/such/secret");
        await run("NO_COLOR=1 dcos-security secrets get no/such/secret");
        await run("env -u NO_COLOR dcos-security secrets get no/such/secret 2>&1 | cat");
        await done("RC5");
        const lines = (await term.screen({ escapes: true })).split("\n").filter((l) =>
          l.includes("Error:")
        );
        assertEquals(lines.length, 3);
        assert(lines[0].startsWith("\x1b[31mError:"), JSON.stringify(lines[0]));
        assert(lines[1].startsWith("Error:") && lines[2].startsWith("Error:"));
      });

      await t.step("unseal asks for the key", async () => {
        expectCode(await c.cli(["cluster", "secret-store", "seal", "default"]), 0);
        for (const [i, key] of c.sandbox.info.unseal_keys.slice(0, 2).entries()) {
          await run(`clear; dcos-security cluster secret-store unseal default`);
          await answer("Unseal key:", key);
          const { screen, code } = await done(`RC4${i}`);
          assertEquals(code, 0, screen);
          assert(!screen.includes(key), "the unseal key was echoed");
        }
        assertEquals(
          JSON.parse(
            (await c.cli(["cluster", "secret-store", "seal-status", "default", "-j"])).stdout,
          ).sealed,
          false,
        );
      });
    } finally {
      await term.close();
      await c.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
