import { honoHandler } from "@callhooks/adapter-hono";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler, timingSafeEqualStrings, WebhookConfigError } from "@callhooks/webhook-core";
import { createWebhookOpenApiDocument, renderWebhookDocsHtml } from "@callhooks/webhook-core/openapi";
import { type Context, Hono } from "hono";
import type { GetConnInfo } from "hono/conninfo";
import { type Config, ConfigError } from "./config.ts";

/*
 * The whole server, runtime-neutral: Web-standard Request/Response only. node.ts, bun.ts and
 * deno.ts each serve it with their runtime's own server and `getConnInfo` (the client address,
 * for RETELL_ALLOWED_IPS).
 */

export const RETELL_PATH = "/api/v1/webhook/retell";

const document = createWebhookOpenApiDocument({
  paths: { retell: RETELL_PATH },
  info: { title: "hono-server webhooks", version: "1.0.0" },
});

export function createApp(config: Config, options: { getConnInfo: GetConnInfo; log?: (message: string) => void }): Hono {
  const log = options.log ?? console.log;
  // In memory: one process. createSupabaseStorage({ client }) from @callhooks/storage-supabase runs
  // on all three runtimes too, for several instances.
  const storage = createMemoryStorage();
  const retell = createRetellHandler({
    apiKey: config.retellApiKey,
    storage,
    allowedIps: config.allowedIps,
    // Behind proxies, the client is the entry the nearest trusted proxy appended: counted from the right.
    clientAddress: config.trustedProxies > 0 ? { header: "x-forwarded-for", hops: config.trustedProxies } : "remote",
    on: {
      call_ended: ({ call }) => log(`retell call_ended ${call.call_id} ${call.disconnection_reason ?? ""}`),
      call_analyzed: ({ call }) => log(`retell call_analyzed ${call.call_id} successful=${call.call_analysis?.call_successful ?? "?"}`),
      call_inbound: ({ call_inbound }) => ({ call_inbound: { dynamic_variables: { caller_number: call_inbound.from_number } } }),
    },
  });

  /** PUBLIC_URL, else the request's own origin; behind TRUST_PROXY, as the nearest proxy saw it. */
  const origin = (c: Context) => {
    if (config.publicUrl) return config.publicUrl;
    const url = new URL(c.req.url);
    const nearest = (name: string) => (config.trustedProxies > 0 ? c.req.header(name)?.split(",").at(-1)?.trim() : undefined);
    return `${nearest("x-forwarded-proto") ?? url.protocol.slice(0, -1)}://${nearest("x-forwarded-host") ?? url.host}`;
  };

  const app = new Hono();
  // `all`, so that a GET gets the core's 405 ("delivered with POST"). The adapter reads the raw body.
  app.all(RETELL_PATH, honoHandler(retell, { getConnInfo: options.getConnInfo }));

  app.get(`${RETELL_PATH}/test`, (c) =>
    c.json({
      status: "ok",
      message: "The Retell webhook endpoint is reachable.",
      webhook_url: `${origin(c)}${RETELL_PATH}`,
      configure:
        'Set it as the webhook URL in the Retell dashboard (or an agent\'s webhook_url), with the API key that has the "webhook" badge.',
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/docs/openapi.json", (c) => c.json({ ...document, servers: [{ url: origin(c) }] }));
  app.get("/docs", (c) => {
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.html(renderWebhookDocsHtml({ ...document, servers: [{ url: origin(c) }] }, { openApiUrl: "/docs/openapi.json" }));
  });

  const token = config.apiToken;
  if (token) {
    app.get("/api/v1/calls/:id", async (c) => {
      const given = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
      if (!given || !(await timingSafeEqualStrings(given, token))) {
        return c.json({ error: "unauthorized", details: "Send Authorization: Bearer <API_TOKEN>." }, 401);
      }
      // callhooks' merged record: the same whatever order Retell delivered in.
      const call = await storage.getCall("retell", c.req.param("id"));
      if (!call) return c.json({ error: "not_found", details: "No call with this id (yet)." }, 404);
      return c.json({ id: call.id, event_types: call.eventTypes, ...call.fields });
    });
  }
  return app;
}

/** The startup line every entry prints (the tests read the port from it). */
export function listening(runtime: string, port: number): string {
  const base = `http://localhost:${port}`;
  return `hono-server (${runtime}) listening on ${base}
  Retell webhook  ${base}${RETELL_PATH}   (check it: ${base}${RETELL_PATH}/test)
  Docs            ${base}/docs
Expose it to Retell: cloudflared tunnel --url ${base}   (or: ngrok http ${port})`;
}

/** What every entry prints when the configuration is not usable, before exiting with status 1. */
export function cannotStart(error: unknown): string {
  if (!(error instanceof ConfigError || error instanceof WebhookConfigError)) throw error;
  const message = error instanceof WebhookConfigError ? `  - ${error.message.replace(/^allowedIps/, "RETELL_ALLOWED_IPS")}` : error.message;
  return `hono-server cannot start:\n${message}\nSet these in examples/hono-server/.env (start from .env.example) or in the environment.`;
}
