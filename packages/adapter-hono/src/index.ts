import { RawBodyUnavailableError, type WebhookHandler, type WebhookResult } from "@callhooks/webhook-core";
import type { Context, Env, Handler, Hono, Schema } from "hono";
import { getRuntimeKey } from "hono/adapter";
import type { GetConnInfo } from "hono/conninfo";
import { cachedBody, framedNodeBody, peerAddress, waitUntilOf } from "./context.js";

/** A handler, or a factory that builds one from the context (to read secrets with `env(c)` on Workers). */
export type WebhookHandlerSource<E extends Env = Env> = WebhookHandler | ((c: Context<E>) => WebhookHandler);

export interface HonoHandlerOptions<E extends Env = Env> {
  /**
   * The app (or sub-app) the route is on. Only its type is used: it gives a factory's context the
   * app's `Env`, so `env(c)` and `c.get()` are typed. (A handler built by a call, as here, cannot get
   * it from `app.post` itself: TypeScript does not pass a route method's Env into an argument that is
   * a generic call.) Alternatively name the Env: `honoHandler<AppEnv>((c) => …)`.
   */
  app?: Hono<E, Schema, string> | undefined;
  /**
   * The runtime's `getConnInfo` (`@hono/node-server/conninfo`, `hono/bun`, `hono/deno`,
   * `hono/cloudflare-workers`), for `allowedIps`. Without it the peer address is read from
   * `@hono/node-server`, `Bun.serve` and `Deno.serve` directly.
   */
  getConnInfo?: GetConnInfo;
  /** Where the one-time "raw body unavailable" explanation goes. Default `console`. */
  logger?: { error(message: string): void };
}

const UNAVAILABLE =
  "A middleware consumed the request body before the webhook route without Hono keeping its text or bytes " +
  "(for instance c.req.raw.json()), so the raw bytes the signature covers are gone. Read it with c.req.text() " +
  "or c.req.json() instead (Hono caches those), or mount the webhook route before that middleware.";

const toResponse = (result: WebhookResult): Response =>
  new Response(result.status === 204 ? null : result.body, { status: result.status, headers: result.headers });

function cached<E extends Env>(source: WebhookHandlerSource<E>): (c: Context<E>) => WebhookHandler {
  if (typeof source !== "function") return () => source;
  // Workers bindings are one object per isolate: one handler each. Elsewhere env(c) reads the
  // process environment, so a single handler serves every request.
  const perBindings = new WeakMap<object, WebhookHandler>();
  let shared: WebhookHandler | undefined;
  return (c) => {
    const bindings: unknown = c.env;
    if (getRuntimeKey() !== "workerd" || typeof bindings !== "object" || bindings === null) {
      shared ??= source(c);
      return shared;
    }
    let handler = perBindings.get(bindings);
    if (!handler) {
      handler = source(c);
      perBindings.set(bindings, handler);
    }
    return handler;
  };
}

/**
 * A Hono route handler for a callhooks handler: `app.post("/webhooks/retell", honoHandler(retell))`,
 * or for a factory reading secrets from the context: `honoHandler((c) => createRetellHandler({ apiKey:
 * env(c).RETELL_API_KEY }), { app })`. Reads the body exactly once (streamed with the size limit), and
 * hands deferred work to `c.executionCtx.waitUntil` on Workers.
 */
export function honoHandler<E extends Env = Env>(source: WebhookHandlerSource<E>, options: HonoHandlerOptions<E> = {}): Handler<E> {
  const handlerFor = cached(source);
  const logger = options.logger ?? console;
  let explained = false;
  return async (c: Context<E>): Promise<Response> => {
    const handler = handlerFor(c);
    const remoteAddress = peerAddress(c, options.getConnInfo);
    const waitUntil = waitUntilOf(c);
    const raw = c.req.raw;
    let body: string | Uint8Array | undefined;
    if (!raw.bodyUsed) {
      body = await framedNodeBody(c, handler.maxBodyBytes);
      if (body === undefined) return handler.fetch(raw, { remoteAddress, waitUntil });
    } else body = await cachedBody(c);
    if (body === undefined) {
      const error = new RawBodyUnavailableError(UNAVAILABLE);
      // The answer goes to the provider; the log is what the developer sees.
      if (!explained) logger.error(`[callhooks] ${error.message}`);
      explained = true;
      return toResponse(handler.reject(error));
    }
    return toResponse(await handler.handle({ method: raw.method, headers: raw.headers, body, remoteAddress, url: raw.url }, { waitUntil }));
  };
}
