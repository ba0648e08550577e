/**
 * The HTTP layer against a real local server: retries with backoff only for idempotent requests and
 * only for transient failures (proxy 502/503/504, connection errors), RID encoding, error lines, and
 * debug logging that never shows the token.
 */
import { ApiError, CliError } from "../lib/errors.ts";
import { HttpClient } from "../lib/http.ts";
import { encodeRid } from "../lib/iam.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-value.sig";

Deno.test({
  name: "retries, error mapping and debug logging",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const hits: Record<string, number> = {};
    const seen: { path: string; auth: string | null; ua: string | null }[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const path = new URL(req.url).pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      seen.push({
        path: req.url.slice(req.url.indexOf(path)),
        auth: req.headers.get("authorization"),
        ua: req.headers.get("user-agent"),
      });
      if (path === "/flaky" && hits[path] < 3) {
        return new Response("<html>503</html>", {
          status: 503,
          headers: { "content-type": "text/html" },
        });
      }
      if (path === "/json503") {
        return Response.json(
          { title: "503 Service Unavailable", description: "Store is sealed." },
          { status: 503 },
        );
      }
      if (path === "/html502") {
        return new Response("<html>bad gateway</html>", {
          status: 502,
          headers: { "content-type": "text/html" },
        });
      }
      if (path === "/iam409") {
        return Response.json({
          title: "409 Conflict",
          description: "User with id `a` already exists.",
          code: "ERR_USER_EXISTS",
        }, { status: 409 });
      }
      return Response.json({ ok: true });
    });
    const base = `http://127.0.0.1:${server.addr.port}`;
    const debug: string[] = [];
    const http = new HttpClient({ baseUrl: base, token: TOKEN, debug: (l) => debug.push(l) });
    try {
      await t.step("GET retries a proxy 503 and succeeds", async () => {
        const res = await http.request("GET", "/flaky");
        assertEquals(res.status, 200);
        assertEquals(hits["/flaky"], 3);
      });
      await t.step("a JSON 503 from the service is an answer, not retried", async () => {
        try {
          await http.request("GET", "/json503", { what: "read it" });
          throw new Error("expected a failure");
        } catch (e) {
          assert(e instanceof ApiError);
          assertEquals(e.message, "read it failed: Store is sealed. (HTTP 503)");
        }
        assertEquals(hits["/json503"], 1);
      });
      await t.step("POST is never retried", async () => {
        await http.request("POST", "/html502", { json: {} }).catch(() => {});
        assertEquals(hits["/html502"], 1);
        await http.request("GET", "/html502").catch(() => {});
        assertEquals(hits["/html502"], 4, "GET tried 3 times");
      });
      await t.step("IAM errors keep description and code on one line", async () => {
        const e = await http.request("PUT", "/iam409", { json: {}, what: "create user a" }).catch((
          e,
        ) => e);
        assertEquals(
          e.message,
          "create user a failed: User with id `a` already exists. (ERR_USER_EXISTS, HTTP 409)",
        );
        assertEquals(e.code, "ERR_USER_EXISTS");
      });
      await t.step("headers: token=, User-Agent; RIDs with / are sent as %252F", async () => {
        await http.request(
          "GET",
          `/acs/api/v1/acls/${encodeRid("dcos:service:marathon:marathon:services:/prod")}`,
        );
        const last = seen.at(-1)!;
        assertEquals(last.auth, `token=${TOKEN}`);
        assertStringIncludes(last.ua ?? "", "dcos-security/");
        assertEquals(
          last.path,
          "/acs/api/v1/acls/dcos:service:marathon:marathon:services:%252Fprod",
        );
      });
      await t.step("debug lines show method, URL, status and time, never the token", () => {
        assert(debug.some((l) => l.startsWith("> GET http://127.0.0.1:")));
        assert(debug.some((l) => /^< 200 \(\d+ ms\)$/.test(l)));
        assert(debug.every((l) => !l.includes(TOKEN) && !l.includes("secret-token")));
      });
      await t.step("connection errors on GET are retried, then reported in one line", async () => {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (l.addr as Deno.NetAddr).port;
        l.close();
        const dead = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
        const t0 = performance.now();
        const e = await dead.request("GET", "/x").catch((e) => e);
        assert(e instanceof CliError);
        assertEquals(
          e.message,
          `cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`,
        );
        assert(performance.now() - t0 >= 300, "backoff between attempts");
        dead.close();
      });
    } finally {
      http.close();
      await server.shutdown();
    }
  },
});
