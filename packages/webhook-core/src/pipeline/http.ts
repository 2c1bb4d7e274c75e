import { WebhookPayloadTooLargeError, type WebhookError } from "../errors.js";
import type { HeadersInput, WebhookResult } from "./types.js";

/** Case-insensitive header lookup over Web `Headers` or a Node-style record. */
export function headerReader(headers: HeadersInput): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === "function") {
    const h = headers as Headers;
    return (name) => h.get(name) ?? undefined;
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  let lowered: Record<string, string | readonly string[] | undefined> | undefined;
  return (name) => {
    const key = name.toLowerCase();
    let value = record[key];
    if (value === undefined) {
      // Node lowercases header names; plain objects from elsewhere may not.
      lowered ??= Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
      value = lowered[key];
    }
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : value.join(", ");
  };
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function jsonResult(status: number, body: unknown, headers?: Record<string, string>): WebhookResult {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResult(error: WebhookError, headers?: Record<string, string>): WebhookResult {
  return jsonResult(error.status, error.toJSON(), headers);
}

/**
 * Reads a Web request body up to `limit` bytes. A larger body is refused as soon as its
 * Content-Length or the bytes read so far exceed the limit; the rest is never buffered. The bytes are
 * counted as they stream whatever Content-Length says: a Request built in code can understate it,
 * and `arrayBuffer()` would then buffer the whole stream before anything could be checked.
 */
export async function readBodyWithLimit(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new WebhookPayloadTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new WebhookPayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function toResponse(result: WebhookResult): Response {
  return new Response(result.status === 204 || result.body === "" ? null : result.body, {
    status: result.status,
    headers: result.headers,
  });
}
