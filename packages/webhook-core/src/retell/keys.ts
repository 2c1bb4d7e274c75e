import { isKnownRetellEvent, type RetellCall, type RetellChat, type RetellEvent } from "./schemas.js";

/**
 * How far a call's transcript has got: Retell's mid-call events (`transcript_updated`,
 * `transfer_*`) repeat for one call, and a retry carries the same transcript as the original.
 */
export function transcriptProgress(subject: TranscriptSubject | undefined): number {
  if (!subject) return 0;
  if (typeof subject.transcript === "string") return subject.transcript.length;
  return subject.transcript_with_tool_calls?.length ?? subject.transcript_object?.length ?? 0;
}

type TranscriptSubject = {
  transcript?: string | null;
  transcript_object?: readonly unknown[] | null;
  transcript_with_tool_calls?: readonly unknown[] | null;
  message_with_tool_calls?: readonly unknown[] | null;
};

/** FNV-1a, 32 bits: a cheap fingerprint of a transcript's text (not a security measure). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * Identifies one state of a transcript: its progress, how many entries (tool calls included) it has,
 * and a fingerprint of its text. A retry carries the same state; a later update differs even when the
 * text keeps its length (a corrected word) or only a tool call was added.
 */
export function transcriptMark(subject: TranscriptSubject | undefined): string {
  const entries =
    subject?.transcript_with_tool_calls?.length ?? subject?.message_with_tool_calls?.length ?? subject?.transcript_object?.length ?? 0;
  return `${transcriptProgress(subject)}.${entries}.${fingerprint(subject?.transcript ?? "")}`;
}

function idOf(value: unknown, field: "call_id" | "chat_id"): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as Record<string, unknown>)[field];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The duplicate key Retell's docs prescribe per event type:
 * - lifecycle events fire once per call or chat: `event:id`;
 * - `transcript_updated` fires many times: `event:id:transcript state` (see `transcriptMark`);
 * - transfers may repeat within a call: `event:call_id:start_timestamp:destination:transcript state`;
 * - inbound webhooks: by `call_id`/`chat_id` when sent (the SDK documents it for retries), else by
 *   numbers and `event_timestamp`; with neither there is nothing to identify a retry (null: never
 *   deduplicated, since two real calls from one number must both be answered).
 */
export function retellEventKey(input: RetellEvent): string | null {
  const type = input.event;
  if (!isKnownRetellEvent(input)) {
    const raw = input as Record<string, unknown>;
    const id = idOf(raw.call, "call_id") ?? idOf(raw.chat, "chat_id");
    return id ? `${type}:${id}` : null;
  }
  const event = input;
  switch (event.event) {
    case "call_started":
    case "call_ended":
    case "call_analyzed":
      return `${type}:${event.call.call_id}`;
    case "chat_started":
    case "chat_ended":
    case "chat_analyzed":
      return `${type}:${event.chat.chat_id}`;
    case "transcript_updated": {
      // Loose objects keep unknown keys, so `"call" in event` cannot narrow; read both forms.
      const { call, chat } = event as { call?: RetellCall; chat?: RetellChat };
      return call ? `${type}:${call.call_id}:${transcriptMark(call)}` : `${type}:${chat?.chat_id}:${transcriptMark(chat)}`;
    }
    case "transfer_started":
    case "transfer_bridged":
    case "transfer_cancelled":
    case "transfer_ended": {
      const call = event.call;
      const target = event.transfer_destination;
      const destination =
        typeof target === "string"
          ? target
          : target
            ? `${target.number ?? ""}${target.extension ? `#${target.extension}` : ""}`
            : (call.transfer_destination ?? "");
      return `${type}:${call.call_id}:${call.start_timestamp ?? ""}:${destination}:${transcriptMark(call)}`;
    }
    case "call_inbound": {
      const inbound = event.call_inbound;
      if (inbound.call_id) return `${type}:${inbound.call_id}`;
      return event.event_timestamp != null ? `${type}:${inbound.from_number}:${inbound.to_number}:${event.event_timestamp}` : null;
    }
    case "chat_inbound": {
      const inbound = event.chat_inbound;
      if (inbound.chat_id) return `${type}:${inbound.chat_id}`;
      return event.event_timestamp != null ? `${type}:${inbound.from_number}:${inbound.to_number}:${event.event_timestamp}` : null;
    }
  }
}

/** The call id an event concerns, if any. */
export function retellCallId(event: RetellEvent): string | null {
  const raw = event as Record<string, unknown>;
  return idOf(raw.call, "call_id") ?? idOf(raw.call_inbound, "call_id") ?? null;
}

const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * For a body its schema refused: the key a valid event of it would have, when the ids the key is
 * made of are there and are strings; otherwise null (the quarantine then names it by its content,
 * rather than two different bodies sharing a key such as `call_ended:undefined`).
 */
export function retellInvalidKey(body: Record<string, unknown>): string | null {
  const type = body.event;
  if (!isText(type)) return null;
  const subject = (name: string) => (typeof body[name] === "object" && body[name] !== null ? (body[name] as Record<string, unknown>) : {});
  const named =
    type === "call_inbound" || type === "chat_inbound"
      ? isText(subject(type)[type === "call_inbound" ? "call_id" : "chat_id"]) ||
        (isText(subject(type).from_number) && isText(subject(type).to_number) && typeof body.event_timestamp === "number")
      : isText(subject("call").call_id) || isText(subject("chat").chat_id);
  if (!named) return null;
  try {
    return retellEventKey(body as RetellEvent);
  } catch {
    return null;
  }
}
