import { Agent, type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import type { StackKeys } from "./jwt.js";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);

function json(status: number, body: unknown): { status: number; body: string } {
  return { status, body: JSON.stringify(body) };
}

/**
 * A stand-in for Supabase's API gateway, enough for an unmodified `createClient(url, key)`:
 * `/rest/v1/*` goes to PostgREST, after the same API-key checks Kong makes. New-style keys
 * (`sb_secret_…`, `sb_publishable_…`) are swapped for the role's JWT, as the hosted gateway does.
 * Everything else (auth, storage, realtime, functions) is not served: 404.
 */
export async function startProxy(upstreamPort: number, keys: StackKeys): Promise<{ url: string; close(): Promise<void> }> {
  const jwtFor = new Map<string, string>([
    [keys.anonKey, keys.anonKey],
    [keys.serviceRoleKey, keys.serviceRoleKey],
    [keys.publishableKey, keys.anonKey],
    [keys.secretKey, keys.serviceRoleKey],
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const reject = (res: import("node:http").ServerResponse, { status, body }: { status: number; body: string }) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (!url.startsWith("/rest/v1/") && url !== "/rest/v1")
      return reject(res, json(404, { message: "no Route matched with those values" }));
    const apikey = headerValue(req.headers, "apikey");
    if (!apikey) return reject(res, json(401, { message: "No API key found in request" }));
    const roleJwt = jwtFor.get(apikey);
    if (!roleJwt) return reject(res, json(401, { message: "Invalid API key" }));

    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    const bearer = headerValue(req.headers, "authorization")?.replace(/^Bearer\s+/i, "");
    if (!bearer || jwtFor.has(bearer)) headers.authorization = `Bearer ${jwtFor.get(bearer ?? apikey) ?? roleJwt}`;

    const upstream = httpRequest(
      { host: "127.0.0.1", port: upstreamPort, method: req.method, path: url.slice("/rest/v1".length) || "/", headers, agent },
      (up) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(up.statusCode ?? 502, out);
        up.pipe(res);
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return res.destroy();
      reject(res, json(502, { message: `An invalid response was received from the upstream server (${error.code ?? "error"})` }));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
