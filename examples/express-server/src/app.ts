import { expressHandler } from "@callhooks/adapter-express";
import { createWebhookOpenApiDocument, renderWebhookDocsHtml, timingSafeEqualStrings, type WebhookHandler } from "@callhooks/webhook-core";
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import type { Config } from "./config.ts";
import type { Backend } from "./storage.ts";

export const RETELL_PATH = "/api/v1/webhook/retell";

const document = createWebhookOpenApiDocument({
  paths: { retell: RETELL_PATH },
  info: { title: "express-server webhooks", version: "1.0.0" },
});

export function createApp(config: Config, backend: Backend, retell: WebhookHandler): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // The number of proxies, never `true`: then req.protocol and req.host follow only their headers.
  app.set("trust proxy", config.trustedProxies);

  /** Where Retell reaches this server: PUBLIC_URL, else what this request was addressed to. */
  const origin = (req: Request) => config.publicUrl ?? `${req.protocol}://${req.host}`;

  // First, and without a body parser: the adapter reads the raw bytes the signature covers.
  // `all`, so that a GET gets the core's 405 ("delivered with POST") rather than a bare 404.
  app.all(RETELL_PATH, expressHandler(retell));

  app.get(`${RETELL_PATH}/test`, (req, res) => {
    res.json({
      status: "ok",
      message: "The Retell webhook endpoint is reachable.",
      webhook_url: `${origin(req)}${RETELL_PATH}`,
      configure:
        'In the Retell dashboard, set this as the webhook URL (account-wide, or an agent\'s webhook_url; a phone number\'s inbound webhook URL for call_inbound), and run this server with the API key that has the "webhook" badge.',
      storage: backend.kind,
      ip_allowlist: config.allowedIps ? "on" : "off",
    });
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok", storage: backend.kind });
  });

  app.get("/docs/openapi.json", (req, res) => {
    res.json({ ...document, servers: [{ url: origin(req) }] });
  });
  app.get("/docs", (req, res) => {
    res
      .type("html")
      .set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderWebhookDocsHtml({ ...document, servers: [{ url: origin(req) }] }, { openApiUrl: "/docs/openapi.json" }));
  });

  if (config.apiToken) {
    const token = config.apiToken;
    const authorized: RequestHandler = async (req, res, next) => {
      const given = /^Bearer (.+)$/.exec(req.get("authorization") ?? "")?.[1];
      if (given && (await timingSafeEqualStrings(given, token))) return next();
      res.status(401).json({ error: "unauthorized", details: "Send Authorization: Bearer <API_TOKEN>." });
    };
    app.get("/api/v1/call-jobs/:id", authorized, async (req, res) => {
      const job = await backend.jobs.get(String(req.params.id));
      if (job) res.json(job);
      else res.status(404).json({ error: "not_found", details: "No call job with this id (yet)." });
    });
  }

  // Express's default would answer with a stack trace outside production.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    console.error("Unexpected error:", error instanceof Error ? error.message : error);
    if (!res.headersSent) res.status(500).json({ error: "internal_error", details: "See the server log." });
  };
  app.use(onError);
  return app;
}
