import type { Context } from "hono";
import { getRuntimeKey } from "hono/adapter";
import type { GetConnInfo } from "hono/conninfo";

/** What `@hono/node-server`, `Bun.serve` and `Deno.serve` pass as `c.env`. */
interface ServerEnv {
  incoming?: { socket?: { remoteAddress?: string } };
  requestIP?(request: Request): { address?: string } | null;
  remoteAddr?: { hostname?: string };
}

export function peerAddress(c: Context, getConnInfo: GetConnInfo | undefined): string | undefined {
  if (getConnInfo) return getConnInfo(c).remote.address;
  // On Workers c.env holds bindings, not server objects (there the address is only in headers).
  if (getRuntimeKey() === "workerd" || typeof c.env !== "object" || c.env === null) return undefined;
  const env = c.env as ServerEnv;
  const address = env.incoming?.socket?.remoteAddress ?? env.requestIP?.(c.req.raw)?.address ?? env.remoteAddr?.hostname;
  return typeof address === "string" ? address : undefined;
}

export function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    // No ExecutionContext outside Workers: the core then finishes deferred work in-process.
    return undefined;
  }
}

/** The body a middleware already read through Hono, which caches text, bytes and blobs. */
export async function cachedBody(c: Context): Promise<string | Uint8Array | undefined> {
  const cache = c.req.bodyCache;
  if (cache.arrayBuffer) return new Uint8Array(await cache.arrayBuffer);
  if (cache.blob) return new Uint8Array(await (await cache.blob).arrayBuffer());
  if (cache.text !== undefined) return await cache.text;
  return undefined;
}
