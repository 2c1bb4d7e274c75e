import type { Html } from "./html.js";

/**
 * Scripts and styles only from the console's own files: no inline script can run, whatever a
 * payload manages to put in a page. Inline SVG charts use attributes, not style attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export function respond(status: number, body: BodyInit | null, headers: Record<string, string>): Response {
  // Pages hold deliveries: never kept by a shared cache (assets say otherwise themselves).
  return new Response(body, { status, headers: { "cache-control": "no-store", ...SECURITY_HEADERS, ...headers } });
}

export const htmlResponse = (page: Html, status = 200) => respond(status, page.value, { "content-type": "text/html; charset=utf-8" });

export const jsonResponse = (value: unknown, status = 200) =>
  respond(status, JSON.stringify(value), { "content-type": "application/json; charset=utf-8" });

export const textResponse = (text: string, status: number, headers: Record<string, string> = {}) =>
  respond(status, text, { "content-type": "text/plain; charset=utf-8", ...headers });
