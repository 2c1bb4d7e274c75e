import { WebhookConfigError } from "../errors.js";
import { RETELL_SIGNATURE_HEADER } from "../retell/signature.js";
import { type MightyCallFormatOption, mightyCallComponents, retellComponents } from "./schemas.js";
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiResponse, OpenApiServer } from "./types.js";

export type WebhookProviderName = "retell" | "mightycall";

export interface WebhookOpenApiOptions {
  /** The endpoints to document. Default: the providers named in `paths`, else both. */
  providers?: readonly WebhookProviderName[];
  /** Where each endpoint is served. Default `/webhooks/retell` and `/webhooks/mightycall`. */
  paths?: Partial<Record<WebhookProviderName, string>>;
  /** The MightyCall formats the endpoint accepts, as configured on its handler (default both). */
  mightyCallFormats?: readonly MightyCallFormatOption[];
  info?: { title?: string; version?: string; description?: string };
  /** Where the API is reached, e.g. `[{ url: "https://hooks.example.com" }]`. */
  servers?: OpenApiServer[];
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (schema: JsonSchema) => ({ "application/json": { schema } });

function errorResponse(description: string, codes: string[]): OpenApiResponse {
  return {
    description: `${description} \`error\`: ${codes.map((code) => `\`${code}\``).join(", ")}.`,
    content: json({ allOf: [schemaRef("WebhookError")], properties: { error: { enum: codes } } }),
  };
}

function sharedComponents() {
  const schemas: Record<string, JsonSchema> = {
    WebhookAcknowledgement: {
      type: "object",
      description: "The answer to a delivery that needs no body back.",
      properties: {
        status: {
          type: "string",
          enum: ["processed", "duplicate", "accepted"],
          description:
            "processed: handled now (or no handler); duplicate: handled before, not run again; accepted: recorded, processed after the answer (deferred or queue mode).",
        },
        event_id: { type: ["string", "null"], description: "The stored event's id (null without a storage)." },
      },
      required: ["status", "event_id"],
    },
    WebhookError: {
      type: "object",
      description: "Every error answer. `error` is a stable code; `details` says what to change and never echoes the payload or a secret.",
      properties: { error: { type: "string" }, details: { type: "string" } },
      required: ["error", "details"],
    },
  };
  const responses: Record<string, OpenApiResponse> = {
    Accepted: {
      description: "Recorded; processed after the answer (deferred or queue mode).",
      content: json(schemaRef("WebhookAcknowledgement")),
    },
    BadRequest: errorResponse("Empty body, invalid JSON, or a payload failing its schema (the path is named).", [
      "empty_body",
      "invalid_json",
      "invalid_payload",
      "missing_context",
    ]),
    Unauthorized: errorResponse("Missing, malformed, forged or stale credentials.", ["invalid_signature", "unauthorized"]),
    Forbidden: errorResponse("The client address is not in allowedIps.", ["forbidden"]),
    MethodNotAllowed: {
      ...errorResponse("Webhooks are delivered with POST.", ["method_not_allowed"]),
      headers: { Allow: { schema: { type: "string", const: "POST" } } },
    },
    InFlight: {
      ...errorResponse("A duplicate of an event still being processed: the provider retries.", ["in_flight"]),
      headers: { "Retry-After": { description: "Seconds.", schema: { type: "integer" } } },
    },
    PayloadTooLarge: errorResponse("The body is larger than maxBodyBytes; the rest is not read.", ["payload_too_large"]),
    ServerError: errorResponse("A handler threw or the storage failed: the provider retries, and the event stays stored and replayable.", [
      "handler_failed",
      "storage_error",
      "raw_body_unavailable",
    ]),
  };
  return { schemas, responses };
}

const commonErrors = {
  "400": responseRef("BadRequest"),
  "401": responseRef("Unauthorized"),
  "403": responseRef("Forbidden"),
  "405": responseRef("MethodNotAllowed"),
  "409": responseRef("InFlight"),
  "413": responseRef("PayloadTooLarge"),
  "500": responseRef("ServerError"),
};

function retellOperation(): OpenApiOperation {
  return {
    operationId: "receiveRetellWebhook",
    tags: ["Retell"],
    summary: "Retell AI webhooks: call, chat and transfer events, and the inbound call and SMS webhooks",
    description: [
      `Signed with \`${RETELL_SIGNATURE_HEADER}: v=<epoch ms>,d=<hex HMAC-SHA256 of the raw body + timestamp under the API key>\`, checked over the raw bytes within 5 minutes either way.`,
      "Retell waits 10 s, then delivers again (up to 3 retries), in no guaranteed order: each event is processed once, and merged into one call record whatever the order.",
      "Configure the URL in the Retell dashboard (account webhook) or on an agent (webhook_url); call_inbound and chat_inbound come from a phone number's inbound webhook URL.",
    ].join("\n\n"),
    security: [{ retellSignature: [] }],
    requestBody: { required: true, description: "Discriminated by `event`.", content: json(schemaRef("RetellWebhookEvent")) },
    responses: {
      "200": {
        description:
          "Processed, or a duplicate (not run again). For call_inbound and chat_inbound: your handler's answer (a retry gets the same answer).",
        content: json({
          oneOf: [schemaRef("WebhookAcknowledgement"), schemaRef("RetellCallInboundResponse"), schemaRef("RetellChatInboundResponse")],
        }),
      },
      "202": responseRef("Accepted"),
      "204": { description: "call_inbound or chat_inbound with no answer: Retell uses the number's own agent." },
      ...commonErrors,
    },
  };
}

function mightyCallOperations(formats: readonly MightyCallFormatOption[]): Record<string, OpenApiOperation> {
  const security: Array<Record<string, string[]>> = [
    ...(formats.includes("push") ? [{ mightyCallBearer: [] }] : []),
    // Native events carry their key in the body (ApiKey), which no OpenAPI security scheme describes.
    ...(formats.includes("native") ? [{}] : []),
  ];
  const operations: Record<string, OpenApiOperation> = {
    post: {
      operationId: "receiveMightyCallWebhook",
      tags: ["MightyCall"],
      summary: "MightyCall webhooks",
      description: [
        formats.includes("push") &&
          "Push format (call.completed, sms.received, sms.sent, recording.available, report.daily, report.hourly), sent with `Authorization: Bearer <secret>`.",
        formats.includes("native") &&
          "MightyCall's native call events (IncomingCall … CallbackCallCompleted), authenticated by the account key in the body's ApiKey, which is removed before anything is stored. Native events merge into one call record (missed or completed, with the talk time) whatever order they arrive in.",
      ]
        .filter(Boolean)
        .join("\n\n"),
      security,
      requestBody: { required: true, content: json(schemaRef("MightyCallWebhookEvent")) },
      responses: {
        "200": {
          description: "Processed, a duplicate, or a native EventType added later (recorded).",
          content: json(schemaRef("WebhookAcknowledgement")),
        },
        "202": responseRef("Accepted"),
        ...commonErrors,
      },
    },
  };
  if (formats.includes("native")) {
    operations.get = {
      operationId: "answerMightyCallEcho",
      tags: ["MightyCall"],
      summary: "MightyCall's URL check",
      description: "MightyCall checks a webhook URL by sending an Echo header; it is answered with the same value, before anything else.",
      parameters: [{ name: "Echo", in: "header", required: true, schema: { type: "string", maxLength: 1024 } }],
      responses: {
        "200": { description: "The Echo header, sent back.", headers: { Echo: { schema: { type: "string" } } } },
        "400": responseRef("BadRequest"),
      },
    };
  }
  return operations;
}

/**
 * An OpenAPI 3.1 document for your webhook endpoints, generated from the same zod schemas the
 * handlers validate with: every Retell event as a named schema under a `oneOf` discriminated by
 * `event`, the inbound answers, MightyCall's push and native events, and every status the handlers
 * answer. Serve it (`/docs/openapi.json`), render it (`renderWebhookDocsHtml`) or feed it to any
 * OpenAPI tool.
 *
 * @example
 * const document = createWebhookOpenApiDocument({ paths: { retell: "/api/v1/webhook/retell" } });
 */
export function createWebhookOpenApiDocument(options: WebhookOpenApiOptions = {}): OpenApiDocument {
  const providers = options.providers ?? (options.paths ? (Object.keys(options.paths) as WebhookProviderName[]) : ["retell", "mightycall"]);
  if (providers.length === 0) throw new WebhookConfigError("createWebhookOpenApiDocument: name at least one provider.");
  const formats = options.mightyCallFormats ?? ["push", "native"];
  if (providers.includes("mightycall") && formats.length === 0) {
    throw new WebhookConfigError("createWebhookOpenApiDocument: mightyCallFormats needs push, native or both.");
  }
  const shared = sharedComponents();
  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info: {
      title: options.info?.title ?? "Webhook endpoints",
      version: options.info?.version ?? "1.0.0",
      description:
        options.info?.description ??
        "What each webhook delivers and how it is answered. Generated by callhooks from the schemas the handlers validate with: fields added later by a provider are accepted and kept.",
    },
    ...(options.servers && { servers: options.servers }),
    tags: [],
    paths: {},
    components: { schemas: shared.schemas, responses: shared.responses, securitySchemes: {} },
  };
  if (providers.includes("retell")) {
    const path = options.paths?.retell ?? "/webhooks/retell";
    document.paths[path] = { post: retellOperation() };
    document.tags?.push({ name: "Retell", description: "Retell AI voice and chat agents." });
    Object.assign(document.components.schemas, retellComponents());
    document.components.securitySchemes.retellSignature = {
      type: "apiKey",
      in: "header",
      name: RETELL_SIGNATURE_HEADER,
      description:
        'HMAC-SHA256 of the raw body followed by the timestamp, keyed with the Retell API key that has the "webhook" badge: `v=<epoch ms>,d=<hex>`.',
    };
  }
  if (providers.includes("mightycall")) {
    const path = options.paths?.mightycall ?? "/webhooks/mightycall";
    document.paths[path] = mightyCallOperations(formats);
    document.tags?.push({ name: "MightyCall", description: "MightyCall telephony." });
    Object.assign(document.components.schemas, mightyCallComponents(formats));
    if (formats.includes("push")) {
      document.components.securitySchemes.mightyCallBearer = {
        type: "http",
        scheme: "bearer",
        description: "The push secret, compared in constant time.",
      };
    }
  }
  return document;
}
