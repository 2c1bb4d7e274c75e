import { z } from "zod";
import { mightyCallNativeEventTypes, mightyCallNativeSchemas } from "../mightycall/native-schemas.js";
import { mightyCallPushEventTypes, mightyCallPushSchemas } from "../mightycall/push-schemas.js";
import {
  retellCallAnalysisSchema,
  retellCallCostSchema,
  retellCallInboundResponseSchema,
  retellCallSchema,
  retellChatInboundResponseSchema,
  retellChatMessageSchema,
  retellChatSchema,
  retellEventSchemas,
  retellEventTypes,
  retellPhoneCallSchema,
  retellTranscriptEntrySchema,
  retellUtteranceSchema,
  retellWebCallSchema,
} from "../retell/schemas.js";
import type { JsonSchema } from "./types.js";

/*
 * The zod schemas the handlers validate with, turned into named JSON Schemas (draft 2020-12, the
 * dialect of OpenAPI 3.1). They are generated, never written by hand, so the documentation cannot
 * drift from what is accepted. `io: "input"`: these describe what the provider sends (and, for the
 * inbound answers, what your handler may return), not what the parsers output.
 */

interface Meta {
  id: string;
  description?: string;
}

const ref = (name: string) => `#/components/schemas/${name}`;

/** `call_started` → `CallStarted`, `call.completed` → `CallCompleted`. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

export const retellEventSchemaName = (type: string) => `Retell${pascal(type)}Event`;
export const mightyCallPushSchemaName = (type: string) => `MightyCall${pascal(type)}Event`;
export const mightyCallNativeSchemaName = (type: string) => `MightyCall${type}Event`;

const retellEventDescriptions: Record<string, string> = {
  call_started: "A call began. Not sent for calls that never connected (dial_failed, dial_no_answer, dial_busy).",
  call_ended: "The call completed, was transferred or failed: every call field except call_analysis.",
  call_analyzed: "Post-call analysis is done: the whole call, with call_analysis. Also sent for calls that never connected.",
  transcript_updated:
    "Sent at every turn and once more at the end of the call (opt in with the agent's webhook_events). Voice calls carry `call`; chat agents `chat`.",
  transfer_started: "A transfer began. The top-level transfer_destination is an object; transfer_option is as configured (camelCase keys).",
  transfer_bridged: "The transfer connected.",
  transfer_cancelled: "The transfer was cancelled or did not connect.",
  transfer_ended: "The transfer leg ended.",
  chat_started: "A chat began.",
  chat_ended: "The chat completed or failed: every chat field except chat_analysis.",
  chat_analyzed: "Post-chat analysis is done: the whole chat, with chat_analysis.",
  call_inbound:
    "A call to a number with an inbound webhook URL is ringing. Answer within 10 s with RetellCallInboundResponse; a 204 keeps the number's own agent.",
  chat_inbound: "An SMS to a number with an inbound SMS webhook URL. Answer with RetellChatInboundResponse.",
};

/** Field notes the zod schemas carry only as source comments. */
const callFieldNotes: Record<string, string> = {
  call_status: "registered, ongoing, ended, error or not_connected (dial failures); values Retell adds later are accepted.",
  disconnection_reason: "Why the call ended. Retell adds reasons over time: the known ones are listed, any other string is accepted.",
  start_timestamp: "Epoch milliseconds.",
  end_timestamp: "Epoch milliseconds. From call_ended on.",
  duration_ms: "From call_ended on.",
  metadata: "Whatever your app put in the call's metadata when it created the call (any JSON).",
  retell_llm_dynamic_variables: "The prompt variables the call started with.",
  collected_dynamic_variables: "Variables the agent collected during the call.",
  transcript: '"Agent: …\\nUser: …\\n".',
  transfer_destination: "A phone number or a sip: URI.",
  transfer_end_timestamp: "Epoch milliseconds.",
  call_cost: "In cents; unit prices in cents per second.",
  call_analysis: "Only in call_analyzed.",
  recording_url: "With opt-out data storage, reachable for 10 minutes only.",
};

const notes: Record<string, Record<string, string>> = {
  RetellPhoneCall: { ...callFieldNotes, from_number: "E.164.", to_number: "E.164." },
  RetellWebCall: {
    ...callFieldNotes,
    access_token: "Required by the SDK's WebCallResponse; not documented for webhooks, so optional here.",
  },
  RetellCallCost: { combined_cost: "Cents.", total_duration_unit_price: "Cents per second." },
  RetellUtterance: { arguments: "Stringified JSON, as the model produced it." },
  RetellCallInboundResponse: {},
  MightyCallNativeBody: {
    Id: "The call id: the same across every event of one call.",
    From: "Inbound: the caller; outbound and callback: the business number.",
    To: "Inbound: the business number; outbound and callback: the customer.",
    Extension: "The user extension ringing or connected (a string or a number).",
  },
};

const inboundAnswerNotes: Record<string, string> = {
  reject: "Only true rejects; it beats every override.",
  dynamic_variables: "Prompt variables (strings).",
  override_agent_id: "The agent to answer with instead of the number's.",
};

/** Adds descriptions (and formats) to properties, wherever the generated object schema holds them. */
function annotate(schema: JsonSchema, properties: Record<string, string | JsonSchema>): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const object = node as JsonSchema;
    const props = object.properties as Record<string, JsonSchema> | undefined;
    if (props) {
      for (const [name, note] of Object.entries(properties)) {
        const target = props[name];
        if (!target || "$ref" in target) continue;
        if (typeof note === "string") target.description ??= note;
        else Object.assign(target, note);
      }
    }
    for (const key of ["anyOf", "oneOf", "allOf", "items"]) visit(object[key]);
  };
  visit(schema);
}

/** Runs zod's generator over a private registry (the global one is never touched). */
function generate(entries: ReadonlyArray<readonly [z.ZodType, Meta]>): Record<string, JsonSchema> {
  const registry = z.registry<Meta>();
  for (const [schema, meta] of entries) registry.add(schema, meta);
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    // Refinements (RFC 3339 timestamps, calendar dates) have no JSON Schema form: they are noted instead.
    unrepresentable: "any",
    metadata: registry,
    uri: ref,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Component schemas live inside the document: no dialect or id of their own.
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/** Unknown-event schemas are refined in zod ("not a known type"); JSON Schema says it with `not`. */
function excludeKnown(schema: JsonSchema | undefined, property: string, known: readonly string[]): void {
  const props = schema?.properties as Record<string, JsonSchema> | undefined;
  if (props?.[property]) props[property] = { ...props[property], not: { enum: [...known] } };
}

/** A `oneOf` over named schemas, discriminated by `property`, with an optional catch-all member. */
function discriminated(property: string, mapping: Record<string, string>, description: string, extra: string[] = []): JsonSchema {
  return {
    description,
    oneOf: [...new Set(Object.values(mapping)), ...extra].map((name) => ({ $ref: ref(name) })),
    discriminator: {
      propertyName: property,
      mapping: Object.fromEntries(Object.entries(mapping).map(([value, name]) => [value, ref(name)])),
    },
  };
}

export function retellComponents(): Record<string, JsonSchema> {
  const unknownEvent = z.looseObject({ event: z.string() });
  const schemas = generate([
    [
      retellPhoneCallSchema,
      { id: "RetellPhoneCall", description: "A phone call (call_type phone_call), as in Retell's PhoneCallResponse." },
    ],
    [retellWebCallSchema, { id: "RetellWebCall", description: "A web call (call_type web_call), as in Retell's WebCallResponse." }],
    [retellCallSchema, { id: "RetellCall", description: "The call object of every call event, discriminated by call_type." }],
    [retellChatSchema, { id: "RetellChat", description: "The chat object of chat events, as in Retell's ChatResponse." }],
    [retellCallAnalysisSchema, { id: "RetellCallAnalysis", description: "Post-call analysis (call_analyzed)." }],
    [retellCallCostSchema, { id: "RetellCallCost", description: "What the call cost, in cents." }],
    [
      retellTranscriptEntrySchema,
      { id: "RetellTranscriptEntry", description: "One entry of transcript_object. Word times are seconds of audio." },
    ],
    [
      retellUtteranceSchema,
      { id: "RetellUtterance", description: "One entry of transcript_with_tool_calls; roles added later are accepted." },
    ],
    [
      retellChatMessageSchema,
      { id: "RetellChatMessage", description: "One entry of message_with_tool_calls; roles added later are accepted." },
    ],
    ...retellEventTypes.map(
      (type) =>
        [retellEventSchemas[type], { id: retellEventSchemaName(type), description: retellEventDescriptions[type] ?? type }] as const,
    ),
    [
      unknownEvent,
      {
        id: "RetellUnknownEvent",
        description: "An event type Retell added after this version: accepted (signed), recorded, passed to onUnknown.",
      },
    ],
    [
      retellCallInboundResponseSchema,
      { id: "RetellCallInboundResponse", description: "The answer to call_inbound. Every field is optional; validated before it is sent." },
    ],
    [retellChatInboundResponseSchema, { id: "RetellChatInboundResponse", description: "The answer to chat_inbound." }],
  ]);
  excludeKnown(schemas.RetellUnknownEvent, "event", retellEventTypes);
  for (const [name, properties] of Object.entries(notes)) if (schemas[name]) annotate(schemas[name], properties);
  for (const name of ["RetellCallInboundResponse", "RetellChatInboundResponse"]) annotate(schemas[name] as JsonSchema, inboundAnswerNotes);
  schemas.RetellWebhookEvent = discriminated(
    "event",
    Object.fromEntries(retellEventTypes.map((type) => [type, retellEventSchemaName(type)])),
    "Every Retell webhook body, by its `event`. An event type added later is accepted as RetellUnknownEvent.",
    ["RetellUnknownEvent"],
  );
  return schemas;
}

export type MightyCallFormatOption = "push" | "native";

const pushDescriptions: Record<string, string> = {
  "call.completed": "A call ended. duration is whole seconds; 0 is a real (missed) call.",
  "sms.received": "An SMS arrived at a business number.",
  "sms.sent": "An SMS was sent from a business number.",
  "recording.available": "A call recording can be fetched from url.",
  "report.daily": "Daily metrics; one entry per metric_type.",
  "report.hourly": "Hourly metrics for hour (0–23) of date.",
};

const time = {
  type: "string",
  format: "date-time",
  description: "RFC 3339, with a T and a zone (Z or ±hh:mm); checked strictly, no calendar rollover.",
};

export function mightyCallComponents(formats: readonly MightyCallFormatOption[]): Record<string, JsonSchema> {
  const entries: Array<readonly [z.ZodType, Meta]> = [];
  const push = formats.includes("push");
  const native = formats.includes("native");
  if (push) {
    const { mightyCallMetricSchema, mightyCallPushEventSchemas } = mightyCallPushSchemas();
    entries.push([mightyCallMetricSchema, { id: "MightyCallMetric", description: "One metric of a report: finite, non-negative." }]);
    for (const type of mightyCallPushEventTypes) {
      entries.push([mightyCallPushEventSchemas[type], { id: mightyCallPushSchemaName(type), description: pushDescriptions[type] ?? type }]);
    }
  }
  if (native) {
    // The key travels in the body; the handler checks it, then removes it before anything is stored.
    const apiKey = z.string().min(1);
    const { mightyCallNativeBodySchema, mightyCallNativeEventSchemas } = mightyCallNativeSchemas();
    entries.push([mightyCallNativeBodySchema, { id: "MightyCallNativeBody", description: "The call an event is about." }]);
    for (const type of mightyCallNativeEventTypes) {
      entries.push([
        mightyCallNativeEventSchemas[type].extend({ ApiKey: apiKey }),
        { id: mightyCallNativeSchemaName(type), description: `MightyCall's native ${type} event.` },
      ]);
    }
    entries.push([
      z.looseObject({ EventType: z.string(), ApiKey: apiKey }),
      { id: "MightyCallUnknownNativeEvent", description: "An EventType MightyCall added after this version: acknowledged and recorded." },
    ]);
  }
  const schemas = generate(entries);
  for (const [name, schema] of Object.entries(schemas)) {
    annotate(schema, { timestamp: time, Timestamp: { ...time, description: "UTC, up to 7 fractional digits (.NET ticks)." } });
    if (name.startsWith("MightyCallReport"))
      annotate(schema, { date: { type: "string", format: "date", description: "YYYY-MM-DD, a real calendar date." } });
  }
  for (const name of [...mightyCallNativeEventTypes.map(mightyCallNativeSchemaName), "MightyCallUnknownNativeEvent"]) {
    if (schemas[name])
      annotate(schemas[name], { ApiKey: "The account's API key; checked in constant time, then removed: never stored or logged." });
  }
  if (schemas.MightyCallNativeBody) annotate(schemas.MightyCallNativeBody, notes.MightyCallNativeBody as Record<string, string>);
  excludeKnown(schemas.MightyCallUnknownNativeEvent, "EventType", mightyCallNativeEventTypes);

  const members: string[] = [];
  if (push) {
    schemas.MightyCallPushEvent = discriminated(
      "event",
      Object.fromEntries(mightyCallPushEventTypes.map((type) => [type, mightyCallPushSchemaName(type)])),
      "The push format, sent with Authorization: Bearer <secret>. An unknown event is refused (400).",
    );
    members.push("MightyCallPushEvent");
  }
  if (native) {
    schemas.MightyCallNativeEvent = discriminated(
      "EventType",
      Object.fromEntries(mightyCallNativeEventTypes.map((type) => [type, mightyCallNativeSchemaName(type)])),
      "MightyCall's native call events, authenticated by the ApiKey in the body.",
      ["MightyCallUnknownNativeEvent"],
    );
    members.push("MightyCallNativeEvent");
  }
  schemas.MightyCallWebhookEvent = {
    description: "Every MightyCall body this endpoint accepts: native bodies carry EventType, push bodies event.",
    oneOf: members.map((name) => ({ $ref: ref(name) })),
  };
  return schemas;
}
