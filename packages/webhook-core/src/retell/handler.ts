import type { HmacSha256 } from "../crypto/hmac.js";
import { createWebhookHandler } from "../pipeline/pipeline.js";
import type { Awaitable, HandlerContext, PipelineOptions, WebhookHandler } from "../pipeline/types.js";
import { retellDefinition } from "./definition.js";
import {
  isKnownRetellEventType,
  retellEventTypes,
  type RetellCallInboundResponse,
  type RetellChatInboundResponse,
  type RetellEventOf,
  type RetellEventType,
  type RetellUnknownEvent,
} from "./schemas.js";
import { normalizeApiKeys } from "./signature.js";

/** What each handler returns: the inbound webhooks answer Retell with a typed body. */
export type RetellHandlerResult<K extends RetellEventType> = K extends "call_inbound"
  ? RetellCallInboundResponse
  : K extends "chat_inbound"
    ? RetellChatInboundResponse
    : unknown;

/** The `on` map: one typed async handler per event type. */
export type RetellHandlers = {
  [K in RetellEventType]?: (event: RetellEventOf<K>, context: HandlerContext) => Awaitable<RetellHandlerResult<K>>;
};

export interface RetellHandlerOptions extends PipelineOptions {
  /**
   * The Retell API key with the "webhook" badge (Retell signs with it). Several while rotating:
   * a signature made with any of them is accepted.
   */
  apiKey: string | readonly string[];
  /** How far a signature's timestamp may be from this server's clock. Default 5 minutes. */
  toleranceMs?: number;
  on?: RetellHandlers;
  /** Events Retell added after this version; they are recorded and acknowledged either way. */
  onUnknown?: (event: RetellUnknownEvent, context: HandlerContext) => Awaitable<unknown>;
  /** The HMAC implementation (tests; Workers without `nodejs_compat` get WebCrypto automatically). */
  hmac?: HmacSha256;
}

/**
 * Receives Retell AI webhooks: verifies `x-retell-signature` over the raw body, validates the event,
 * records it once (with a storage), merges it into its call record, and runs your handler.
 *
 * @example
 * const handler = createRetellHandler({
 *   apiKey: process.env.RETELL_API_KEY!,
 *   storage: createMemoryStorage(),
 *   on: { call_ended: async (event) => console.log(event.call.call_id, event.call.disconnection_reason) },
 * });
 * export const POST = (request: Request) => handler.fetch(request);
 */
export function createRetellHandler(options: RetellHandlerOptions): WebhookHandler {
  const apiKeys = normalizeApiKeys(options.apiKey);
  const definition = retellDefinition({
    apiKeys,
    toleranceMs: options.toleranceMs,
    hmac: options.hmac,
    now: options.now ?? Date.now,
  });
  return createWebhookHandler(
    definition,
    { on: options.on, onUnknown: options.onUnknown, isKnown: isKnownRetellEventType, knownTypes: retellEventTypes },
    options,
  );
}
