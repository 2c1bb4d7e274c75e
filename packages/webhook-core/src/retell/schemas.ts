import { z } from "zod";
import { WebhookValidationError } from "../errors.js";
import { isPlainObject, openEnum, opt, stringRecord, toValidationError } from "../schema-helpers.js";
import type { RetellCall, RetellEventMap, RetellUnknownEvent } from "./types.generated.js";

/*
 * Retell webhook payloads, field for field after the official SDK's `PhoneCallResponse`,
 * `WebCallResponse` and `ChatResponse` (retell-sdk 5.66). Every object is loose (unknown fields are
 * kept), every optional field accepts null, and enums that Retell extends over time are open.
 *
 * What is required — the rule. Real traffic leaves out what the SDK's types mark required (a call
 * that never connected carries `call_cost: { combined_cost: 0 }` and nothing else; Retell's own
 * documentation sample has no `agent_version`). So a field is required only when the pipeline needs
 * it to identify and route the event: `event`; the call's `call_id` and `call_type` (the duplicate
 * key, the record, phone vs web); the chat's `chat_id`; an utterance's `role` (what kind it is); the
 * inbound webhooks' `from_number` and `to_number` (the whole of what they say). Everything else is
 * optional and nullable, whatever the SDK says. A body that still fails is not lost: it is kept as
 * quarantined and can be replayed once the schemas follow it.
 */

/** One word of a transcript, with its timing in seconds. */
export const retellTranscriptWordSchema = z.looseObject({ word: opt(z.string()), start: opt(z.number()), end: opt(z.number()) });

const speakerRole = openEnum(["agent", "user", "transfer_target"]);

export const retellTranscriptEntrySchema = z.looseObject({
  role: speakerRole,
  content: opt(z.string()),
  words: opt(z.array(retellTranscriptWordSchema)),
});

export const retellMultimediaSchema = z.looseObject({ url: z.string(), summary: opt(z.string()) });

const toolCallInvocation = z.looseObject({
  role: z.literal("tool_call_invocation"),
  tool_call_id: z.string(),
  name: z.string(),
  /** Stringified JSON, as the model produced it. */
  arguments: z.string(),
  thought_signature: opt(z.string()),
});
const toolCallResult = z.looseObject({
  role: z.literal("tool_call_result"),
  tool_call_id: z.string(),
  content: z.string(),
  successful: opt(z.boolean()),
});
const transitionType = openEnum(["global", "global_go_back", "interrupt_go_back", "normal"]);
const nodeTransition = z.looseObject({
  role: z.literal("node_transition"),
  former_node_id: opt(z.string()),
  former_node_name: opt(z.string()),
  new_node_id: opt(z.string()),
  new_node_name: opt(z.string()),
  transition_type: opt(transitionType),
});
const spokenUtterance = z.looseObject({
  role: z.enum(["agent", "user", "transfer_target"]),
  content: z.string(),
  words: opt(z.array(retellTranscriptWordSchema)),
});

/**
 * One entry of `transcript_with_tool_calls`. Roles Retell adds later parse as the last member
 * (`{ role: string }` plus whatever they carry) rather than failing the whole event.
 */
export const retellUtteranceSchema = z.union([
  z.discriminatedUnion("role", [
    spokenUtterance,
    toolCallInvocation,
    toolCallResult,
    nodeTransition,
    z.looseObject({ role: z.literal("dtmf"), digit: z.string() }),
    z.looseObject({ role: z.literal("sms"), content: z.string(), time_sec: z.number(), multimedia: opt(z.array(retellMultimediaSchema)) }),
    z.looseObject({ role: z.literal("injected"), content: z.string(), time_sec: opt(z.number()) }),
  ]),
  z.looseObject({ role: z.string() }),
]);

export const retellLatencyStatsSchema = z.looseObject({
  min: opt(z.number()),
  max: opt(z.number()),
  num: opt(z.number()),
  p50: opt(z.number()),
  p90: opt(z.number()),
  p95: opt(z.number()),
  p99: opt(z.number()),
  values: opt(z.array(z.number())),
});

export const retellProductCostSchema = z.looseObject({
  product: opt(z.string()),
  /** Cents. */
  cost: opt(z.number()),
  /** Cents per second. */
  unit_price: opt(z.number()),
  is_transfer_leg_cost: opt(z.boolean()),
});

export const retellUserSentiments = ["Negative", "Positive", "Neutral", "Unknown"] as const;

export const retellCallAnalysisSchema = z.looseObject({
  call_summary: opt(z.string()),
  in_voicemail: opt(z.boolean()),
  user_sentiment: opt(openEnum(retellUserSentiments)),
  call_successful: opt(z.boolean()),
  /** Whatever the agent's post-call analysis extracts. */
  custom_analysis_data: opt(z.unknown()),
});

/** Calls that never connected carry `{ combined_cost: 0 }` or `{ product_costs: [], combined_cost: 0 }` only. */
export const retellCallCostSchema = z.looseObject({
  product_costs: opt(z.array(retellProductCostSchema)),
  total_duration_seconds: opt(z.number()),
  total_duration_unit_price: opt(z.number()),
  /** Cents. */
  combined_cost: opt(z.number()),
});

export const retellDisconnectionReasons = [
  "user_hangup",
  "agent_hangup",
  "call_transfer",
  "voicemail_reached",
  "ivr_reached",
  "inactivity",
  "max_duration_reached",
  "concurrency_limit_reached",
  "no_concurrency_fallback",
  "no_valid_payment",
  "scam_detected",
  "marked_as_spam",
  "dial_busy",
  "dial_failed",
  "dial_no_answer",
  "invalid_destination",
  "telephony_provider_permission_denied",
  "telephony_provider_unavailable",
  "sip_routing_error",
  "user_declined",
  "error_llm_websocket_open",
  "error_llm_websocket_lost_connection",
  "error_llm_websocket_runtime",
  "error_llm_websocket_corrupt_payload",
  "error_no_audio_received",
  "error_asr",
  "error_retell",
  "error_unknown",
  "error_user_not_joined",
  "registered_call_timeout",
  "transfer_bridged",
  "transfer_cancelled",
  "manual_stopped",
  "call_take_over",
] as const;

export const retellCallStatuses = ["registered", "not_connected", "ongoing", "ended", "error"] as const;

/** Latency of each stage of a call, in milliseconds. */
export const retellCallLatencySchema = z.looseObject({
  e2e: opt(retellLatencyStatsSchema),
  asr: opt(retellLatencyStatsSchema),
  llm: opt(retellLatencyStatsSchema),
  llm_websocket_network_rtt: opt(retellLatencyStatsSchema),
  tts: opt(retellLatencyStatsSchema),
  knowledge_base: opt(retellLatencyStatsSchema),
  s2s: opt(retellLatencyStatsSchema),
});

/** Fields shared by phone and web calls (`PhoneCallResponse` ∩ `WebCallResponse`). */
const callFields = {
  call_id: z.string().min(1),
  agent_id: opt(z.string()),
  /** Absent from Retell's own documentation sample. */
  agent_version: opt(z.number()),
  agent_name: opt(z.string()),
  agent_tag: opt(z.string()),
  call_status: opt(openEnum(retellCallStatuses)),
  metadata: opt(z.unknown()),
  retell_llm_dynamic_variables: opt(stringRecord()),
  collected_dynamic_variables: opt(stringRecord()),
  custom_sip_headers: opt(stringRecord()),
  data_storage_setting: opt(openEnum(["everything", "everything_except_pii", "basic_attributes_only"])),
  opt_in_signed_url: opt(z.boolean()),
  /** Epoch milliseconds. */
  start_timestamp: opt(z.number()),
  /** Epoch milliseconds. */
  end_timestamp: opt(z.number()),
  duration_ms: opt(z.number()),
  transcript: opt(z.string()),
  transcript_object: opt(z.array(retellTranscriptEntrySchema)),
  transcript_with_tool_calls: opt(z.array(retellUtteranceSchema)),
  scrubbed_transcript_with_tool_calls: opt(z.array(retellUtteranceSchema)),
  recording_url: opt(z.string()),
  recording_multi_channel_url: opt(z.string()),
  scrubbed_recording_url: opt(z.string()),
  scrubbed_recording_multi_channel_url: opt(z.string()),
  public_log_url: opt(z.string()),
  knowledge_base_retrieved_contents_url: opt(z.string()),
  disconnection_reason: opt(openEnum(retellDisconnectionReasons)),
  /** A phone number or a `sip:` URI. */
  transfer_destination: opt(z.string()),
  /** Epoch milliseconds. */
  transfer_end_timestamp: opt(z.number()),
  latency: opt(retellCallLatencySchema),
  call_cost: opt(retellCallCostSchema),
  llm_token_usage: opt(z.looseObject({ values: opt(z.array(z.number())), average: opt(z.number()), num_requests: opt(z.number()) })),
  call_analysis: opt(retellCallAnalysisSchema),
};

export const retellPhoneCallSchema = z.looseObject({
  ...callFields,
  call_type: z.literal("phone_call"),
  direction: opt(openEnum(["inbound", "outbound"])),
  /** E.164 as a rule, but not always (a caller id of letters was seen on a real outbound call). */
  from_number: opt(z.string()),
  /** E.164 as a rule. */
  to_number: opt(z.string()),
  telephony_identifier: opt(z.looseObject({ twilio_call_sid: opt(z.string()) })),
});

export const retellWebCallSchema = z.looseObject({
  ...callFields,
  call_type: z.literal("web_call"),
  /**
   * Required in the SDK's `WebCallResponse`; optional here because Retell does not document it as
   * part of the webhook, and a missing token must not cost the event.
   */
  access_token: opt(z.string()),
});

/** The call object of every call event, discriminated by `call_type`. */
export const retellCallSchema = z.discriminatedUnion("call_type", [retellPhoneCallSchema, retellWebCallSchema]);

const chatMessageMeta = { message_id: opt(z.string()), created_timestamp: opt(z.number()) };

export const retellChatMessageSchema = z.union([
  z.discriminatedUnion("role", [
    z.looseObject({
      ...chatMessageMeta,
      role: z.enum(["agent", "user"]),
      content: z.string(),
      multimedia: opt(z.array(retellMultimediaSchema)),
    }),
    toolCallInvocation.extend(chatMessageMeta),
    toolCallResult.extend(chatMessageMeta),
    nodeTransition.extend(chatMessageMeta),
    z.looseObject({
      ...chatMessageMeta,
      role: z.literal("state_transition"),
      former_state_name: opt(z.string()),
      new_state_name: opt(z.string()),
    }),
    z.looseObject({ ...chatMessageMeta, role: z.literal("injected"), content: z.string() }),
    z.looseObject({ ...chatMessageMeta, role: z.literal("sms"), content: z.string(), multimedia: opt(z.array(retellMultimediaSchema)) }),
  ]),
  z.looseObject({ role: z.string() }),
]);

export const retellChatSchema = z.looseObject({
  chat_id: z.string().min(1),
  agent_id: opt(z.string()),
  chat_status: opt(openEnum(["ongoing", "ended", "error"])),
  chat_type: opt(openEnum(["api_chat", "sms_chat"])),
  agent_tag: opt(z.string()),
  version: opt(z.number()),
  metadata: opt(z.unknown()),
  retell_llm_dynamic_variables: opt(stringRecord()),
  collected_dynamic_variables: opt(stringRecord()),
  custom_attributes: opt(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  start_timestamp: opt(z.number()),
  end_timestamp: opt(z.number()),
  transcript: opt(z.string()),
  message_with_tool_calls: opt(z.array(retellChatMessageSchema)),
  chat_analysis: opt(
    z.looseObject({
      chat_summary: opt(z.string()),
      user_sentiment: opt(openEnum(retellUserSentiments)),
      chat_successful: opt(z.boolean()),
      custom_analysis_data: opt(z.unknown()),
    }),
  ),
  chat_cost: opt(z.looseObject({ product_costs: opt(z.array(retellProductCostSchema)), combined_cost: opt(z.number()) })),
});

/** `event_timestamp` (epoch ms) is documented on the inbound webhook; accepted on every event. */
const envelope = { event_timestamp: opt(z.number()) };

const callEvent = <E extends string>(event: E) => z.looseObject({ ...envelope, event: z.literal(event), call: retellCallSchema });
const chatEvent = <E extends string>(event: E) => z.looseObject({ ...envelope, event: z.literal(event), chat: retellChatSchema });

/** The top-level `transfer_destination` of transfer events is an object; the call's own is a string. */
export const retellTransferDestinationSchema = z.union([
  z.looseObject({ number: opt(z.string()), extension: opt(z.string()) }),
  z.string(),
]);
const transferFields = {
  transfer_destination: opt(retellTransferDestinationSchema),
  /** Varies by transfer type, and its keys are camelCase: kept as sent. */
  transfer_option: opt(z.looseObject({ type: opt(z.string()) })),
};
// Written out rather than `callEvent(event).extend(…)`: the same schema, but `.extend` copies the
// whole shape again for each of the four events, a cost every cold start paid at import.
const transferEvent = <E extends string>(event: E) =>
  z.looseObject({ ...envelope, event: z.literal(event), call: retellCallSchema, ...transferFields });

export const retellCallInboundSchema = z.looseObject({
  ...envelope,
  event: z.literal("call_inbound"),
  call_inbound: z.looseObject({
    from_number: z.string(),
    to_number: z.string(),
    agent_id: opt(z.string()),
    agent_version: opt(z.number()),
    /** The SDK documents it for deduplication across retries; the docs say no call exists yet. */
    call_id: opt(z.string()),
    /** `X-*`, `User-to-User`, `Diversion`, `History-Info`, `P-Asserted-Identity`, lowercased. */
    custom_sip_headers: opt(stringRecord()),
  }),
});

export const retellChatInboundSchema = z.looseObject({
  ...envelope,
  event: z.literal("chat_inbound"),
  chat_inbound: z.looseObject({
    from_number: z.string(),
    to_number: z.string(),
    agent_id: opt(z.string()),
    agent_version: opt(z.number()),
    chat_id: opt(z.string()),
  }),
});

/** Every event Retell documents, by name. */
export const retellEventSchemas = {
  call_started: callEvent("call_started"),
  call_ended: callEvent("call_ended"),
  call_analyzed: callEvent("call_analyzed"),
  /** Voice calls send `call`; the chat variant's shape is undocumented and assumed to carry `chat`. */
  transcript_updated: z.union([callEvent("transcript_updated"), chatEvent("transcript_updated")]),
  transfer_started: transferEvent("transfer_started"),
  transfer_bridged: transferEvent("transfer_bridged"),
  transfer_cancelled: transferEvent("transfer_cancelled"),
  transfer_ended: transferEvent("transfer_ended"),
  chat_started: chatEvent("chat_started"),
  chat_ended: chatEvent("chat_ended"),
  chat_analyzed: chatEvent("chat_analyzed"),
  call_inbound: retellCallInboundSchema,
  chat_inbound: retellChatInboundSchema,
} as const;

export const retellEventTypes = Object.keys(retellEventSchemas) as RetellEventType[];

/**
 * Any known Retell event. (A plain union: `transcript_updated` is itself a union of its call and
 * chat forms, which a discriminated union cannot hold. `parseRetellEvent` picks the schema by
 * `event` directly, which is faster and gives precise errors.)
 */
export const retellKnownEventSchema = z.union([
  retellEventSchemas.call_started,
  retellEventSchemas.call_ended,
  retellEventSchemas.call_analyzed,
  retellEventSchemas.transcript_updated,
  retellEventSchemas.transfer_started,
  retellEventSchemas.transfer_bridged,
  retellEventSchemas.transfer_cancelled,
  retellEventSchemas.transfer_ended,
  retellEventSchemas.chat_started,
  retellEventSchemas.chat_ended,
  retellEventSchemas.chat_analyzed,
  retellEventSchemas.call_inbound,
  retellEventSchemas.chat_inbound,
]);

/** An event type Retell added after this version: accepted, recorded, never an error. */
export const retellUnknownEventSchema = z.looseObject({
  event: z.string().refine((type) => !Object.hasOwn(retellEventSchemas, type), "A known event type must match its schema"),
});

/** Every Retell webhook body: a known event, or an unknown one kept as sent. */
export const retellEventSchema = z.union([retellKnownEventSchema, retellUnknownEventSchema]);

const agentOverrideGroup = z.looseObject({});

const inboundResponseFields = {
  /** Only `true` rejects; it beats every override. */
  reject: opt(z.boolean()),
  override_agent_id: opt(z.string()),
  override_agent_version: opt(z.number()),
  /** Prompt variables; Retell types them as strings. */
  dynamic_variables: opt(stringRecord()),
  metadata: opt(z.unknown()),
  agent_override: opt(
    z.looseObject({
      agent: opt(agentOverrideGroup),
      retell_llm: opt(agentOverrideGroup),
      conversation_flow: opt(agentOverrideGroup),
    }),
  ),
};

/** What the `call_inbound` webhook answers. All fields are optional. */
export const retellCallInboundResponseSchema = z.looseObject({
  call_inbound: z.looseObject(inboundResponseFields),
});

/** What the `chat_inbound` webhook answers. */
export const retellChatInboundResponseSchema = z.looseObject({
  chat_inbound: z.looseObject(inboundResponseFields),
});

export type {
  RetellCall,
  RetellCallAnalysis,
  RetellCallCost,
  RetellCallInboundEvent,
  RetellCallInboundResponse,
  RetellCallLatency,
  RetellChat,
  RetellChatInboundEvent,
  RetellChatInboundResponse,
  RetellChatMessage,
  RetellEventMap,
  RetellLatencyStats,
  RetellMultimedia,
  RetellPhoneCall,
  RetellProductCost,
  RetellTranscriptEntry,
  RetellTranscriptWord,
  RetellTransferDestination,
  RetellUnknownEvent,
  RetellUtterance,
  RetellWebCall,
} from "./types.generated.js";

export type RetellDisconnectionReason = NonNullable<RetellCall["disconnection_reason"]>;
export type RetellEventType = keyof RetellEventMap;
/** The payload type of one event, e.g. `RetellEventOf<"call_ended">`. */
export type RetellEventOf<K extends RetellEventType> = RetellEventMap[K];
export type RetellKnownEvent = RetellEventMap[RetellEventType];
/** What `parseRetellEvent` returns: a known event, or an unknown one kept as sent. */
export type RetellEvent = RetellKnownEvent | RetellUnknownEvent;

export function isKnownRetellEventType(type: string): type is RetellEventType {
  return Object.hasOwn(retellEventSchemas, type);
}

/**
 * Narrows a parsed event to the known ones. (`event.event === "call_ended"` alone cannot narrow
 * `RetellEvent`, because an unknown event's `event` is any string.)
 */
export function isKnownRetellEvent(event: RetellEvent): event is RetellKnownEvent {
  return isKnownRetellEventType(event.event);
}

type Compile = <T extends z.ZodType>(schema: T) => T;
/** `z.compile`, from zod 4.6 on (the peer range starts at 4.0). */
const zodCompile = (z as unknown as { compile?: Compile }).compile;

/**
 * An event type is compiled once it has been parsed this many times. zod's compiler turns a schema
 * into straight-line code that returns the same output as the runtime parser, and hands any input it
 * does not accept to the runtime, so errors are zod's own and the schemas above stay the only source
 * of truth. It makes each parse cheaper, but compiling an event type blocks the process once for
 * about what a thousand large events save (the figures: bench/RESULTS.md, "Parse + validate"):
 * hence only for types that keep arriving, and never on a cold start or in a short-lived serverless
 * instance.
 */
export const RETELL_COMPILE_AFTER = 1000;
const seen: Partial<Record<RetellEventType, number>> = {};
const hot: Partial<Record<RetellEventType, z.ZodType>> = {};

function eventSchema(type: RetellEventType): z.ZodType {
  const compiled = hot[type];
  if (compiled) return compiled;
  const schema: z.ZodType = retellEventSchemas[type];
  const count = (seen[type] ?? 0) + 1;
  seen[type] = count;
  if (count < RETELL_COMPILE_AFTER) return schema;
  // Not with `jitless` (set for CSP), nor without z.compile. Where `new Function` is refused
  // (Workers), z.compile hands the schema back unchanged: the runtime parser, as before.
  let fast = schema;
  if (zodCompile && !z.config().jitless) {
    try {
      fast = zodCompile(schema);
    } catch {
      // never worse than the runtime parser
    }
  }
  hot[type] = fast;
  return fast;
}

/** Events whose `call` is the legacy `data` key ("the `data` property is being deprecated"). */
function withLegacyCall(input: Record<string, unknown>): Record<string, unknown> {
  if (input.call === undefined && isPlainObject(input.data)) return { ...input, call: input.data };
  return input;
}

/**
 * Validates a parsed webhook body. Known events are checked against their schema and typed;
 * an unknown `event` is returned as sent. Throws `WebhookValidationError` (HTTP 400).
 */
export function parseRetellEvent(input: unknown): RetellEvent {
  if (!isPlainObject(input) || typeof input.event !== "string") {
    throw new WebhookValidationError("invalid_payload", 'Invalid Retell payload: expected a JSON object with an "event" string.', [
      { path: "event", message: "Expected a string" },
    ]);
  }
  const type = input.event;
  if (!isKnownRetellEventType(type)) return input as RetellUnknownEvent;
  const result = eventSchema(type).safeParse(withLegacyCall(input));
  if (!result.success) throw toValidationError(`Retell "${type}"`, result.error);
  return result.data as RetellEvent;
}
