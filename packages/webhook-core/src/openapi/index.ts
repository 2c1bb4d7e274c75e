/**
 * OpenAPI 3.1 documents for webhook endpoints, generated from the zod schemas the handlers
 * validate with, and a self-contained HTML rendering of them.
 */
export { createWebhookOpenApiDocument, type WebhookOpenApiOptions, type WebhookProviderName } from "./document.js";
export { renderWebhookDocsHtml, type WebhookDocsHtmlOptions } from "./html.js";
export type { MightyCallFormatOption } from "./schemas.js";
export type {
  JsonSchema,
  OpenApiDocument,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiResponse,
  OpenApiSecurityScheme,
  OpenApiServer,
} from "./types.js";
