import { MIGHTYCALL_ECHO_HEADER } from "../mightycall/auth.js";
import type { IncomingWebhook } from "../pipeline/types.js";
import { isPlainObject } from "../schema-helpers.js";

interface RequestOptions {
  /** Default `http://localhost/webhooks/mightycall`. */
  url?: string;
  /** Extra headers (they win over the defaults). */
  headers?: Record<string, string>;
}

export interface MightyCallPushRequestOptions extends RequestOptions {
  /** Sent as `Authorization: Bearer <secret>`; leave out to send none. */
  secret?: string;
}

export interface MightyCallNativeRequestOptions extends RequestOptions {
  /** Put in the body's `ApiKey`, as MightyCall does; leave out to send the body as it is. */
  apiKey?: string;
}

const DEFAULT_URL = "http://localhost/webhooks/mightycall";

/** The body as sent: an object is serialised once; a string or bytes are kept verbatim. */
function bodyOf(event: unknown, extra?: Record<string, unknown>): string | Uint8Array {
  if (typeof event === "string" || event instanceof Uint8Array) return event;
  return JSON.stringify(extra && isPlainObject(event) ? { ...event, ...extra } : event);
}

/** The headers of a push delivery. */
export function mightyCallPushHeaders(options: MightyCallPushRequestOptions = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(options.secret !== undefined && { authorization: `Bearer ${options.secret}` }),
    ...options.headers,
  };
}

/** A native body as MightyCall sends it: the event with the account key in `ApiKey`. */
export function mightyCallNativeBody(event: unknown, apiKey?: string): string | Uint8Array {
  return bodyOf(event, apiKey === undefined ? undefined : { ApiKey: apiKey });
}

/** A push delivery (`Authorization: Bearer <secret>`) as a `Request`, for `handler.fetch`. */
export function createMightyCallPushRequest(event: unknown, options: MightyCallPushRequestOptions = {}): Request {
  return new Request(options.url ?? DEFAULT_URL, {
    method: "POST",
    headers: mightyCallPushHeaders(options),
    body: bodyOf(event) as BodyInit,
  });
}

/** The same push delivery as an `IncomingWebhook`, for `handler.handle`. */
export function createMightyCallPushWebhook(
  event: unknown,
  options: MightyCallPushRequestOptions & { remoteAddress?: string } = {},
): IncomingWebhook {
  return {
    method: "POST",
    headers: mightyCallPushHeaders(options),
    body: bodyOf(event),
    url: options.url ?? DEFAULT_URL,
    remoteAddress: options.remoteAddress,
  };
}

/** A native delivery (the key inside the body) as a `Request`, for `handler.fetch`. */
export function createMightyCallNativeRequest(event: unknown, options: MightyCallNativeRequestOptions = {}): Request {
  return new Request(options.url ?? DEFAULT_URL, {
    method: "POST",
    headers: { "content-type": "application/json", ...options.headers },
    body: mightyCallNativeBody(event, options.apiKey) as BodyInit,
  });
}

/** The same native delivery as an `IncomingWebhook`, for `handler.handle`. */
export function createMightyCallNativeWebhook(
  event: unknown,
  options: MightyCallNativeRequestOptions & { remoteAddress?: string } = {},
): IncomingWebhook {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...options.headers },
    body: mightyCallNativeBody(event, options.apiKey),
    url: options.url ?? DEFAULT_URL,
    remoteAddress: options.remoteAddress,
  };
}

/** MightyCall's URL check: a request carrying `Echo: <value>` (by default a GET with no body). */
export function createMightyCallEchoRequest(value: string, options: RequestOptions & { method?: string; body?: string } = {}): Request {
  return new Request(options.url ?? DEFAULT_URL, {
    method: options.method ?? "GET",
    headers: { [MIGHTYCALL_ECHO_HEADER]: value, ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  });
}
