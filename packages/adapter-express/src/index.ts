import type { IncomingMessage, ServerResponse } from "node:http";
import { isWebhookError, RawBodyUnavailableError, type WebhookHandler, type WebhookResult } from "@callhooks/webhook-core";
import { ClientGoneError, drained, keptBody, readBody } from "./body.js";

/** What the adapter reads from an Express 4 or 5 request (typed structurally: no `@types/express` needed). */
export interface ExpressRequestLike extends IncomingMessage {
  body?: unknown;
  /** The raw bytes, when a body parser kept them (see `captureRawBody`). */
  rawBody?: unknown;
  originalUrl?: string;
  protocol?: string;
}

export type ExpressWebhookMiddleware = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface ExpressHandlerOptions {
  /** Where the one-time "raw body unavailable" explanation goes. Default `console`. */
  logger?: { error(message: string): void };
}

/**
 * For `express.json({ verify: captureRawBody })`: keeps the exact bytes as `req.rawBody`, so the
 * webhook route still verifies signatures when a JSON parser is mounted app-wide before it.
 */
export function captureRawBody(req: IncomingMessage, _res: unknown, buf: Uint8Array): void {
  (req as ExpressRequestLike).rawBody = buf;
}

const UNAVAILABLE =
  "A body parser (app.use(express.json()) or similar) read the request body before the webhook route, so the raw bytes " +
  "the signature covers are gone. Either mount the webhook route before the parser, or keep the bytes with " +
  'app.use(express.json({ verify: captureRawBody })) (import { captureRawBody } from "@callhooks/adapter-express").';

/**
 * An Express (4 or 5) route handler for a callhooks handler. It reads the raw body itself, so mount
 * it without a body parser: `app.post("/webhooks/retell", expressHandler(retell))`.
 */
export function expressHandler(handler: WebhookHandler, options: ExpressHandlerOptions = {}): ExpressWebhookMiddleware {
  const logger = options.logger ?? console;
  let explained = false;

  async function respond(req: ExpressRequestLike): Promise<WebhookResult> {
    let body: string | Uint8Array | undefined;
    // Other methods get their 405 from the core without the body being touched.
    if (req.method === "POST") {
      body = keptBody(req);
      if (body === undefined && drained(req)) {
        // Waiting on a drained stream would hang, and verifying a re-serialisation would answer 401.
        const error = new RawBodyUnavailableError(UNAVAILABLE);
        if (!explained) logger.error(`[callhooks] ${error.message}`);
        explained = true;
        return handler.reject(error);
      }
      try {
        body ??= await readBody(req, handler.maxBodyBytes);
      } catch (error) {
        // The rest of the body is never read: close the connection rather than drain it. (By code, not
        // class: the handler may come from another copy of the core, e.g. imported while this is required.)
        if (isWebhookError(error) && error.code === "payload_too_large") return handler.reject(error, { connection: "close" });
        throw error;
      }
    }
    return handler.handle({
      method: req.method ?? "GET",
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress,
      url: `${req.protocol ?? "http"}://${req.headers.host ?? "localhost"}${req.originalUrl ?? req.url ?? "/"}`,
    });
  }

  return (req, res, next) => {
    respond(req).then(
      (result) => {
        res.statusCode = result.status;
        for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
        res.end(result.body);
      },
      (error) => {
        // A client that hangs up mid-body is not an application error: anyone can cause one, and
        // Express would print a stack trace for each.
        if (error instanceof ClientGoneError) return;
        next(error);
      },
    );
  };
}
