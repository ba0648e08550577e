/**
 * A script written for the original `dcos security` CLI runs unchanged through a `dcos` shim
 * (`dcos security …` → `dcos-security security …`, as the dcos CLI runs plugins), against the
 * sandbox, with its outputs parsed the way such scripts parse them.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ROOT, startTestCluster } from "./helpers.ts";

Deno.test({
  name: "an original-CLI script runs unchanged",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const c = await startTestCluster();
    const dir = await Deno.makeTempDir({ prefix: "dcos-compat-" });
    try {
      await Deno.writeTextFile(
        `${dir}/dcos`,
        `#!/bin/sh\n[ "$1" = security ] || { echo "only 'dcos security' is shimmed" >&2; exit 1; }\nexec "${Deno.execPath()}" run -A --quiet "${ROOT}/main.ts" "$@"\n`,
        { mode: 0o755 },
      );
      const out = await new Deno.Command("bash", {
        args: [`${ROOT}/tests/fixtures/original_cli_script.sh`],
        cwd: dir,
        env: { ...c.env, PATH: `${dir}:${Deno.env.get("PATH")}`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
      for (
        const line of [
          "sa-exists",
          "missing-detected",
          "https://master.mesos/acs/api/v1/auth/login",
          "already-exists",
          "already-member",
          "cert.pem: OK",
          "script-done",
        ]
      ) {
        assertStringIncludes(stdout, line);
      }
      assertStringIncludes(
        stderr,
        "Error: create user alice failed: User with id `alice` already exists. (ERR_USER_EXISTS, HTTP 409)",
      );
    } finally {
      await c.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
