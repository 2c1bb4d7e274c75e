import type { HmacSha256 } from "../crypto/hmac.js";
import type { IncomingWebhook } from "../pipeline/types.js";
import { RETELL_SIGNATURE_HEADER, signRetellPayload } from "../retell/signature.js";

export interface SignedRetellRequestOptions {
  apiKey: string;
  /** Default `http://localhost/webhooks/retell`. */
  url?: string;
  /** The signature's timestamp, epoch ms (default now). */
  timestamp?: number;
  /** Extra headers (they win over the defaults). */
  headers?: Record<string, string>;
  hmac?: HmacSha256;
}

/** The body as Retell sends it: an object is serialised once; a string or bytes are kept verbatim. */
export function retellBody(event: unknown): string | Uint8Array {
  return typeof event === "string" || event instanceof Uint8Array ? event : JSON.stringify(event);
}

/** The headers of a signed Retell delivery for `body`. */
export async function signedRetellHeaders(body: string | Uint8Array, options: SignedRetellRequestOptions): Promise<Record<string, string>> {
  const signature = await signRetellPayload(body, options.apiKey, {
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
    ...(options.hmac && { hmac: options.hmac }),
  });
  return { "content-type": "application/json", [RETELL_SIGNATURE_HEADER]: signature, ...options.headers };
}

/**
 * A `Request` signed as Retell signs webhooks, for `handler.fetch` or `fetch(url, …)` in tests.
 * `event` may be an object (serialised once) or the exact body as a string or bytes.
 */
export async function createSignedRetellRequest(event: unknown, options: SignedRetellRequestOptions): Promise<Request> {
  const body = retellBody(event);
  return new Request(options.url ?? "http://localhost/webhooks/retell", {
    method: "POST",
    headers: await signedRetellHeaders(body, options),
    body: body as BodyInit,
  });
}

/** The same delivery as an `IncomingWebhook`, for `handler.handle`. */
export async function createSignedRetellWebhook(
  event: unknown,
  options: SignedRetellRequestOptions & { remoteAddress?: string },
): Promise<IncomingWebhook> {
  const body = retellBody(event);
  return { method: "POST", headers: await signedRetellHeaders(body, options), body, remoteAddress: options.remoteAddress };
}
