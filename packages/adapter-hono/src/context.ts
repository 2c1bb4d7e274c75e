import type { WaitUntil } from "@callhooks/webhook-core";
import type { Context } from "hono";
import { getRuntimeKey } from "hono/adapter";
import type { GetConnInfo } from "hono/conninfo";

/** What `@hono/node-server`, `Bun.serve` and `Deno.serve` pass as `c.env`. */
interface ServerEnv {
  incoming?: { socket?: { remoteAddress?: string }; headers?: unknown };
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

/**
 * Deferred work goes to `c.executionCtx.waitUntil` (Workers, Vercel Edge). Without one this declines
 * (returns false) and the handler's own `waitUntil` option, or the runtime's (Supabase Edge), is used.
 * The context is read only when work is actually deferred: outside Workers reading it throws, and
 * building that error's stack trace on every request was the largest single cost of this adapter
 * (bench/RESULTS.md, "Hono: its adapter").
 */
export function waitUntilOf(c: Context): WaitUntil {
  return (promise) => {
    let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined;
    try {
      ctx = c.executionCtx;
    } catch {
      return false;
    }
    ctx.waitUntil(promise);
    return true;
  };
}

/** The body a middleware already read through Hono, which caches text, bytes and blobs. */
export async function cachedBody(c: Context): Promise<string | Uint8Array | undefined> {
  const cache = c.req.bodyCache;
  if (cache.arrayBuffer) return new Uint8Array(await cache.arrayBuffer);
  if (cache.blob) return new Uint8Array(await (await cache.blob).arrayBuffer());
  if (cache.text !== undefined) return await cache.text;
  return undefined;
}

/**
 * The body of a request that @hono/node-server received from a socket, when its Content-Length is
 * within the limit: read in one call, which node-server serves from the socket (streaming its body
 * makes node-server build a full web Request and ReadableStream first, half the throughput). Only
 * there: Node's HTTP parser frames the body by that Content-Length, so it cannot be longer. Any
 * other request (no length, over the limit, another runtime) is left to the core's streamed read.
 */
export async function framedNodeBody(c: Context, limit: number): Promise<Uint8Array | undefined> {
  if (getRuntimeKey() !== "node" || typeof c.env !== "object" || c.env === null) return undefined;
  const incoming = (c.env as ServerEnv).incoming;
  if (typeof incoming !== "object" || incoming === null || typeof incoming.headers !== "object") return undefined;
  const header = c.req.raw.headers.get("content-length");
  if (header === null || !/^\d{1,15}$/.test(header) || Number(header) > limit) return undefined;
  return new Uint8Array(await c.req.raw.arrayBuffer());
}
