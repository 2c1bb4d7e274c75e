import { WebhookPayloadTooLargeError, type WebhookHandler } from "@callhooks/webhook-core";
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from "fastify";

export interface FastifyHandlerOptions {
  /** The route inside the plugin's prefix. Default `/`: `app.register(fastifyHandler(h), { prefix: "/webhooks/retell" })`. */
  path?: string;
  /**
   * How long a request may take from its first byte to its whole body, in ms. Fastify's own
   * `requestTimeout` is off by default, so without this a client could hold a connection open for
   * ever by sending its body a byte at a time. Past it the connection is closed. Default 30 000.
   */
  bodyTimeoutMs?: number;
}

const BODY_TIMER = Symbol("callhooks body timer");

/**
 * A Fastify 5 plugin serving a callhooks handler. It is encapsulated: its raw-body parser (every
 * content type as a Buffer, limited to `handler.maxBodyBytes`) applies to its own route only, so
 * the rest of the app keeps parsing JSON.
 */
export function fastifyHandler(handler: WebhookHandler, options: FastifyHandlerOptions = {}): FastifyPluginAsync {
  const limit = handler.maxBodyBytes;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
  if (!(bodyTimeoutMs > 0)) throw new RangeError("bodyTimeoutMs must be a positive number of milliseconds.");
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook("onRequest", async (request) => {
      const timer = setTimeout(() => request.raw.destroy(), bodyTimeoutMs);
      timer.unref();
      (request as unknown as Record<symbol, NodeJS.Timeout>)[BODY_TIMER] = timer;
    });
    const clear = async (request: object) => clearTimeout((request as Record<symbol, NodeJS.Timeout | undefined>)[BODY_TIMER]);
    app.addHook("preHandler", clear);
    app.addHook("onResponse", clear);
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: limit }, (_request, body, done) => done(null, body));

    // Fastify refuses oversized bodies itself; answer in the core's shape so every adapter agrees.
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.statusCode !== 413) throw error;
      const result = handler.reject(new WebhookPayloadTooLargeError(limit), { connection: "close" });
      return reply.code(result.status).headers(result.headers).send(result.body);
    });

    app.all(options.path ?? "/", { bodyLimit: limit }, async (request, reply) => {
      const result = await handler.handle({
        method: request.method,
        headers: request.headers,
        body: request.body instanceof Uint8Array ? request.body : undefined,
        remoteAddress: request.socket.remoteAddress,
        url: `${request.protocol}://${request.host}${request.url}`,
      });
      return reply
        .code(result.status)
        .headers(result.headers)
        .send(result.body === "" ? undefined : result.body);
    });
  };
}
