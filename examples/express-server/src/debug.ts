import { WebhookPayloadTooLargeError, type WebhookHandler } from "@callhooks/webhook-core";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";

/*
 * DEBUG=true: what the FastAPI receiver's debug mode printed (each delivery's headers and raw body,
 * and what became of it), without what must never reach a log: credentials, signatures, cookies.
 */

const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-retell-signature",
  "x-api-key",
  "apikey",
  "api-key",
  "x-webhook-secret",
]);
/** Body fields that carry a credential: MightyCall's ApiKey, and any token or secret a sender adds. */
const SECRET_FIELD = /^(api_?key|x_?api_?key|secret|token|access_?token|password|authorization|signature)$/i;
const REDACTED = "[redacted]";
/** Enough to see what arrived; a long call's transcript would drown the log. */
const BODY_LIMIT = 4_000;

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : String(value)]),
  );
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, SECRET_FIELD.test(key) ? REDACTED : redactValue(field)]));
}

/** The body as received, or, when it is JSON, with every credential field replaced; shortened past BODY_LIMIT. */
export function redactBody(body: Buffer): string {
  const text = body.toString("utf8");
  let shown = text;
  try {
    shown = JSON.stringify(redactValue(JSON.parse(text)));
  } catch {
    // Not JSON: shown as received (the handler answers it 400).
  }
  return shown.length > BODY_LIMIT ? `${shown.slice(0, BODY_LIMIT)}… (${body.length} bytes)` : shown;
}

/**
 * Mounted before a webhook route in debug mode. It reads the raw body itself (the route's adapter
 * then verifies those same bytes) and logs the delivery, then its answer.
 */
export function debugDeliveries(
  handler: WebhookHandler,
  log: (line: string) => void = console.log,
): Array<RequestHandler | ErrorRequestHandler> {
  const readRaw = express.raw({ type: () => true, limit: handler.maxBodyBytes });
  const logDelivery: RequestHandler = (req, res, next) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    log(
      `debug: ${req.method} ${req.originalUrl} from ${req.ip}\n  headers: ${JSON.stringify(redactHeaders(req.headers))}\n  body: ${redactBody(body)}`,
    );
    res.once("finish", () => log(`debug: ${req.method} ${req.originalUrl} answered ${res.statusCode}`));
    next();
  };
  // The body limit, answered as the handler itself answers it.
  const tooLarge: ErrorRequestHandler = (error, _req, res, next) => {
    if ((error as { type?: string }).type !== "entity.too.large") return next(error);
    const result = handler.reject(new WebhookPayloadTooLargeError(handler.maxBodyBytes), { connection: "close" });
    res.status(result.status).set(result.headers).send(result.body);
  };
  return [readRaw, logDelivery, tooLarge];
}
