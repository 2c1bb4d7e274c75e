import { expressHandler } from "@callhooks/adapter-express";
import { createDashboard } from "@callhooks/dashboard";
import { nodeHandler } from "@callhooks/dashboard/node";
import { timingSafeEqualStrings, type WebhookHandler } from "@callhooks/webhook-core";
import { createWebhookOpenApiDocument, renderWebhookDocsHtml } from "@callhooks/webhook-core/openapi";
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import type { Config } from "./config.ts";
import { debugDeliveries } from "./debug.ts";
import type { Backend } from "./storage.ts";

export const RETELL_PATH = "/api/v1/webhook/retell";
/** Where the FastAPI + MongoDB receiver took Retell's webhooks: the same handler. */
export const FORMER_RETELL_PATH = "/webhook";
/** The callhooks console (inbox, events, calls, charts, Replay), when DASHBOARD_PASSWORD is set. */
export const DASHBOARD_PATH = "/admin/callhooks";

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

  // First, and without a body parser: the adapter reads the raw bytes the signature covers (in
  // debug mode, the debug log reads them first and hands the adapter the same bytes).
  // `all`, so that a GET gets the core's 405 ("delivered with POST") rather than a bare 404.
  const debug = config.debug ? debugDeliveries(retell) : [];
  app.all([RETELL_PATH, FORMER_RETELL_PATH], ...debug, expressHandler(retell));

  // Exactly what the FastAPI receiver answered, so that whatever checks it keeps working.
  app.get(`${RETELL_PATH}/test`, (req, res) => {
    res.json({ status: "ok", message: "Retell webhook endpoint is accessible", webhook_url: `POST ${origin(req)}${RETELL_PATH}` });
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok", storage: backend.kind });
  });

  // FastAPI served /openapi.json, /docs and /redoc: the same document at all of them.
  app.get(["/docs/openapi.json", "/openapi.json"], (req, res) => {
    res.json({ ...document, servers: [{ url: origin(req) }] });
  });
  app.get(["/docs", "/redoc"], (req, res) => {
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

  // Behind the app's own Basic credentials (DASHBOARD_USER / DASHBOARD_PASSWORD); Replay runs events
  // with the same handler that received them.
  if (config.dashboard) {
    const dashboard = createDashboard({ storage: backend.storage, handlers: retell, auth: config.dashboard, basePath: DASHBOARD_PATH });
    app.use(DASHBOARD_PATH, nodeHandler(dashboard));
  }

  // Express's default would answer with a stack trace outside production.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    console.error("Unexpected error:", error instanceof Error ? error.message : error);
    if (!res.headersSent) res.status(500).json({ error: "internal_error", details: "See the server log." });
  };
  app.use(onError);
  return app;
}
