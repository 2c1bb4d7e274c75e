import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { WebhookHandler } from "@callhooks/webhook-core";

/**
 * The smallest possible Node server for callhooks handlers: route by path, read the raw body, hand
 * it to `handler.handle`, copy the answer back. (The Express, Hono and Fastify adapters do the same
 * with their frameworks' idioms.)
 */
export async function serve(
  routes: Record<string, WebhookHandler>,
  /** Node handlers for everything under a path (the callhooks console). */
  mounts: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {},
): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const mount = Object.keys(mounts).find((path) => url.pathname === path || url.pathname.startsWith(`${path}/`));
    if (mount) return mounts[mount]?.(req, res);
    const handler = routes[url.pathname];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const result = await handler.handle({
      method: req.method ?? "GET",
      headers: req.headers,
      body: Buffer.concat(chunks),
      remoteAddress: req.socket.remoteAddress,
      url: url.href,
    });
    res.writeHead(result.status, result.headers).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return { baseUrl: `http://127.0.0.1:${address.port}`, server };
}
