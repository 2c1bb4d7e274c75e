import { isMightyCallNativeEvent, type MightyCallEvent } from "./events.js";
import type { MightyCallPushEvent } from "./push-schemas.js";

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const scalar = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;

function pushKey(event: MightyCallPushEvent): string {
  switch (event.event) {
    case "call.completed":
      return `${event.event}:${event.call_id}`;
    case "sms.received":
    case "sms.sent":
      // One message moves through pending → sent → failed under one sms_id: each status is a fact
      // of its own, so it is part of the key (a retry of one status is still one event).
      return `${event.event}:${event.sms_id}:${event.status}`;
    case "recording.available":
      return `${event.event}:${event.recording_id}`;
    case "report.daily":
    case "report.hourly":
      return `${event.event}:${event.report_id}`;
  }
}

/**
 * The duplicate key: push events by their own id (with the event name); native events by `Guid`,
 * MightyCall's event id. A native event without a Guid falls back to what identifies a delivery
 * (EventType, call id, extension, time); with none of them it is never deduplicated (null).
 */
export function mightyCallEventKey(event: MightyCallEvent): string | null {
  if (!isMightyCallNativeEvent(event)) return pushKey(event);
  const raw = event as Record<string, unknown>;
  const guid = text(raw.Guid);
  if (guid) return `${event.EventType}:${guid}`;
  const body = (typeof raw.Body === "object" && raw.Body !== null ? raw.Body : {}) as Record<string, unknown>;
  const callId = text(body.Id);
  const timestamp = text(raw.Timestamp);
  if (!callId || !timestamp) return null;
  return `${event.EventType}:${callId}:${scalar(body.Extension) ?? ""}:${timestamp}`;
}

/** The call an event concerns, when it names one. */
export function mightyCallCallId(event: MightyCallEvent): string | null {
  if (isMightyCallNativeEvent(event)) {
    const body = (event as Record<string, unknown>).Body;
    return (typeof body === "object" && body !== null && text((body as Record<string, unknown>).Id)) || null;
  }
  if (event.event === "call.completed") return event.call_id;
  if (event.event === "recording.available") return event.call_id ?? null;
  return null;
}

/**
 * For a body its schema refused: the key a valid event of it would have, when what the key is made
 * of is there (a Guid, or a push event's own id); otherwise null (it is then named by its content).
 */
export function mightyCallInvalidKey(body: Record<string, unknown>): string | null {
  if (typeof body.EventType === "string")
    return text(body.EventType) && text(body.Guid) ? mightyCallEventKey(body as MightyCallEvent) : null;
  const ids: Record<string, string> = {
    "call.completed": "call_id",
    "sms.received": "sms_id",
    "sms.sent": "sms_id",
    "recording.available": "recording_id",
    "report.daily": "report_id",
    "report.hourly": "report_id",
  };
  const type = body.event;
  if (typeof type !== "string" || !Object.hasOwn(ids, type) || !scalar(body[ids[type] as string])) return null;
  if (type.startsWith("sms.") && !scalar(body.status)) return null;
  return pushKey(body as MightyCallPushEvent);
}
