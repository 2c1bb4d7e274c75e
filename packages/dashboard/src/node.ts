import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dashboard } from "./types.js";

/** What the bridge reads from a Node request; Express adds `originalUrl` (the path before its mount point was cut). */
export interface NodeRequestLike extends IncomingMessage {
  originalUrl?: string;
}

/**
 * The console as a Node `(req, res)` handler, for node:http, Express and Fastify (see the README).
 * The console reads no request body (Replay is a body-less POST), so this works after any body
 * parser; the full path (Express's `originalUrl`) is kept, so mount it at `basePath`.
 */
export function nodeHandler(dashboard: Dashboard): (req: NodeRequestLike, res: ServerResponse, next?: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    const protocol = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
    const url = `${protocol}://${req.headers.host ?? "localhost"}${req.originalUrl ?? req.url ?? "/"}`;
    dashboard
      .fetch(new Request(url, { method: req.method ?? "GET", headers }))
      .then(async (response) => {
        const body = req.method === "HEAD" ? null : Buffer.from(await response.arrayBuffer());
        res.statusCode = response.status;
        response.headers.forEach((value, name) => {
          res.setHeader(name, value);
        });
        res.end(body);
      })
      .catch((error: unknown) => {
        if (next) next(error);
        else if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Internal error.");
      });
  };
}
