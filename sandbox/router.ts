/**
 * A small path router for the sandbox. Path segments are percent-decoded once; `:rid` parameters
 * additionally turn `%2F` into `/`, as the IAM does for RIDs sent as `%252F`.
 * @module
 */

/** Who may call a route. */
export type Access = "public" | "user" | "superuser";

/** What a handler receives. */
export interface Ctx {
  /** The request. */
  req: Request;
  /** Parsed URL. */
  url: URL;
  /** Decoded path parameters. */
  params: Record<string, string>;
  /** The authenticated uid (for non-public routes). */
  principal: string;
}

/** A route handler. */
export type Handler = (ctx: Ctx) => Response | Promise<Response>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  access: Access;
}

/** A matched route. */
export interface Match {
  /** The handler. */
  handler: Handler;
  /** Who may call it. */
  access: Access;
  /** Path parameters. */
  params: Record<string, string>;
  /** The route pattern (for contract checks). */
  pattern: string;
}

/** Routes requests by method and path pattern. */
export class Router {
  #routes: Route[] = [];

  /** Adds a route such as `GET /acs/api/v1/users/:uid`. */
  add(method: string, pattern: string, handler: Handler, access: Access = "superuser"): void {
    this.#routes.push({ method, parts: pattern.split("/").filter(Boolean), handler, access });
  }

  /** Finds the route for a request; `"method"` when only the method is wrong. */
  match(method: string, rawPath: string): Match | "method" | undefined {
    const segs = rawPath.split("/").filter(Boolean);
    let pathMatched = false;
    for (const r of this.#routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      pathMatched = true;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) {
        return { handler: r.handler, access: r.access, params, pattern: "/" + r.parts.join("/") };
      }
    }
    return pathMatched ? "method" : undefined;
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const rest = parts.at(-1) === "*path";
  if (rest ? segs.length < parts.length - 1 : segs.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === "*path") {
      params.path = segs.slice(i).map(safeDecode).join("/");
      return params;
    }
    let seg: string;
    try {
      seg = decodeURIComponent(segs[i]);
    } catch {
      return undefined;
    }
    if (p.startsWith(":")) params[p.slice(1)] = p === ":rid" ? seg.replace(/%2F/gi, "/") : seg;
    else if (p !== seg) return undefined;
  }
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
