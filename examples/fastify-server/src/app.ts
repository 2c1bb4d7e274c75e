import { fastifyHandler } from "@callhooks/adapter-fastify";
import { timingSafeEqualStrings } from "@callhooks/webhook-core";
import { createWebhookOpenApiDocument, renderWebhookDocsHtml, type WebhookProviderName } from "@callhooks/webhook-core/openapi";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { Config } from "./config.ts";
import { createWebhooks } from "./webhooks.ts";

export const RETELL_PATH = "/api/v1/webhook/retell";
export const MIGHTYCALL_PATH = "/api/v1/webhook/mightycall";

export async function createApp(config: Config): Promise<FastifyInstance> {
  // The nearest `trustedProxies` hops, never `true`, as callhooks' clientAddress counts them for the
  // allowlist; request.protocol and request.host then follow only those proxies' headers.
  const hops = config.trustedProxies;
  const app = Fastify({ logger: true, trustProxy: hops > 0 ? (_address, hop) => hop < hops : false });
  const { storage, retell, mightyCall } = createWebhooks(config, (message) => app.log.info(message));

  // Encapsulated plugins: each webhook route reads raw bytes; the rest of the app keeps parsing JSON.
  if (retell) await app.register(fastifyHandler(retell), { prefix: RETELL_PATH });
  if (mightyCall) await app.register(fastifyHandler(mightyCall), { prefix: MIGHTYCALL_PATH });

  const origin = (request: FastifyRequest) => config.publicUrl ?? `${request.protocol}://${request.host}`;

  if (retell) {
    app.get(`${RETELL_PATH}/test`, async (request) => ({
      status: "ok",
      message: "The Retell webhook endpoint is reachable.",
      webhook_url: `${origin(request)}${RETELL_PATH}`,
      configure:
        'Set it as the webhook URL in the Retell dashboard (or an agent\'s webhook_url), with the API key that has the "webhook" badge.',
    }));
  }

  app.get("/health", async () => ({ status: "ok", providers: { retell: Boolean(retell), mightycall: Boolean(mightyCall) } }));

  const paths: Partial<Record<WebhookProviderName, string>> = {
    ...(retell && { retell: RETELL_PATH }),
    ...(mightyCall && { mightycall: MIGHTYCALL_PATH }),
  };
  const document = createWebhookOpenApiDocument({
    paths,
    mightyCallFormats: [
      ...(config.mightyCall?.pushSecret ? ["push" as const] : []),
      ...(config.mightyCall?.apiKey ? ["native" as const] : []),
    ],
    info: { title: "fastify-server webhooks", version: "1.0.0" },
  });
  app.get("/docs/openapi.json", async (request) => ({ ...document, servers: [{ url: origin(request) }] }));
  app.get("/docs", async (request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderWebhookDocsHtml({ ...document, servers: [{ url: origin(request) }] }, { openApiUrl: "/docs/openapi.json" })),
  );

  if (config.apiToken) {
    const token = config.apiToken;
    app.get<{ Params: { provider: string; id: string } }>(
      "/api/v1/calls/:provider/:id",
      {
        onRequest: async (request, reply) => {
          const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
          if (!given || !(await timingSafeEqualStrings(given, token))) {
            return reply.code(401).send({ error: "unauthorized", details: "Send Authorization: Bearer <API_TOKEN>." });
          }
        },
      },
      async (request, reply) => {
        // callhooks' merged record: the same whatever order the provider delivered in.
        const call = await storage.getCall(request.params.provider, request.params.id);
        if (!call) return reply.code(404).send({ error: "not_found", details: "No call with this id (yet)." });
        return { provider: call.provider, id: call.id, org_id: call.orgId, event_types: call.eventTypes, ...call.fields };
      },
    );
  }
  return app;
}
