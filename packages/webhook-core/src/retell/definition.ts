import type { HmacSha256 } from "../crypto/hmac.js";
import type { ProviderDefinition } from "../pipeline/types.js";
import { retellCallId, retellEventKey, retellInvalidKey } from "./keys.js";
import { retellRecords } from "./records.js";
import { parseRetellEvent, retellCallInboundResponseSchema, retellChatInboundResponseSchema, type RetellEvent } from "./schemas.js";
import { checkRetellSignature, RETELL_DEFAULT_TOLERANCE_MS, RETELL_SIGNATURE_HEADER } from "./signature.js";

export interface RetellDefinitionOptions {
  apiKeys: readonly string[];
  toleranceMs?: number | undefined;
  hmac?: HmacSha256 | undefined;
  now: () => number;
}

/** What makes Retell Retell: its signature, its schemas, its duplicate keys and its records. */
export function retellDefinition(options: RetellDefinitionOptions): ProviderDefinition<RetellEvent> {
  const tolerance = options.toleranceMs ?? RETELL_DEFAULT_TOLERANCE_MS;
  return {
    provider: "retell",
    // Synchronous with node:crypto: no promise or options object per request.
    authenticate: ({ body, header }) =>
      checkRetellSignature(body, header(RETELL_SIGNATURE_HEADER), options.apiKeys, options.now(), tolerance, options.hmac),
    parse: parseRetellEvent,
    // The key a valid event of this body would have, so that a delivery that parses once the schemas
    // follow it is the same event, not a second one.
    identify: (body) => ({
      type: typeof body.event === "string" ? body.event : null,
      key: retellInvalidKey(body),
      callId: retellCallId(body as RetellEvent),
    }),
    describe(event) {
      const key = retellEventKey(event);
      return {
        type: event.event,
        key,
        callId: retellCallId(event),
        orgId: null,
        records: retellRecords(event, key),
        payload: event,
      };
    },
    responses: {
      call_inbound: { parse: (value) => retellCallInboundResponseSchema.parse(value), none: { call_inbound: {} } },
      chat_inbound: { parse: (value) => retellChatInboundResponseSchema.parse(value), none: { chat_inbound: {} } },
    },
  };
}
