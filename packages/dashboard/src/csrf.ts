/** The header the console's own script sends with every state-changing request. */
export const CSRF_HEADER = "x-callhooks-dashboard";

/**
 * Whether a state-changing request comes from the console's own pages. Two independent checks:
 * - the custom header: a cross-site form cannot set one, and a cross-site script cannot either
 *   without a CORS preflight, which this console never grants;
 * - the browser's own word on where it comes from: `Sec-Fetch-Site` must not be cross-site, and an
 *   `Origin`, when sent, must be this host (or one of `allowedOrigins`).
 */
export function sameOriginRequest(request: Request, allowedOrigins: readonly string[]): boolean {
  if (request.headers.get(CSRF_HEADER) !== "1") return false;
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (allowedOrigins.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  // The host the browser addressed: what a proxy forwarded, else the request's own.
  const hosts = [request.headers.get("host"), request.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), new URL(request.url).host];
  return hosts.some((candidate) => candidate === host);
}
