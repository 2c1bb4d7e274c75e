import { WebhookValidationError } from "../errors.js";
import { isPlainObject, toValidationError } from "../schema-helpers.js";
import {
  isMightyCallNativeEventType,
  mightyCallNativeSchemas,
  type MightyCallNativeEvent,
  type MightyCallNativeEventOf,
  type MightyCallNativeEventType,
  type MightyCallUnknownNativeEvent,
} from "./native-schemas.js";
import {
  isMightyCallPushEventType,
  mightyCallPushEventTypes,
  mightyCallPushSchemas,
  type MightyCallPushEvent,
  type MightyCallPushEventOf,
  type MightyCallPushEventType,
} from "./push-schemas.js";

/** Every event name the `on` map takes: push names and native EventTypes. */
export type MightyCallEventType = MightyCallPushEventType | MightyCallNativeEventType;

export type MightyCallEventOf<K extends MightyCallEventType> = K extends MightyCallPushEventType
  ? MightyCallPushEventOf<K>
  : K extends MightyCallNativeEventType
    ? MightyCallNativeEventOf<K>
    : never;

/** What `parseMightyCallEvent` returns. */
export type MightyCallEvent = MightyCallPushEvent | MightyCallNativeEvent | MightyCallUnknownNativeEvent;

export type MightyCallFormat = "push" | "native";

/**
 * Which format a parsed body is in: native bodies carry `EventType`, everything else is read (and
 * authenticated) as the push contract. Authentication and parsing use this one rule, so a body can
 * never be authenticated as one format and handled as the other.
 */
export function mightyCallFormat(body: unknown): MightyCallFormat {
  return isPlainObject(body) && Object.hasOwn(body, "EventType") ? "native" : "push";
}

export function isMightyCallKnownEventType(type: string): type is MightyCallEventType {
  return isMightyCallPushEventType(type) || isMightyCallNativeEventType(type);
}

/** Narrows to the native events (known or not). */
export function isMightyCallNativeEvent(event: MightyCallEvent): event is MightyCallNativeEvent | MightyCallUnknownNativeEvent {
  return typeof (event as { EventType?: unknown }).EventType === "string";
}

export function isMightyCallPushEvent(event: MightyCallEvent): event is MightyCallPushEvent {
  return !isMightyCallNativeEvent(event);
}

/** Narrows a native event to the known EventTypes. */
export function isKnownMightyCallNativeEvent(event: MightyCallEvent): event is MightyCallNativeEvent {
  return isMightyCallNativeEvent(event) && isMightyCallNativeEventType(event.EventType);
}

/** The event's name: push `event` or native `EventType`. */
export function mightyCallEventType(event: MightyCallEvent): string {
  return isMightyCallNativeEvent(event) ? event.EventType : (event as MightyCallPushEvent).event;
}

/** Names a body may carry the account key under; MightyCall documents `ApiKey`. */
const SECRET_KEYS = /^api_?key$/i;

/** The body without the account key (MightyCall sends it in every native event). */
export function withoutApiKey(body: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(body)) {
    if (SECRET_KEYS.test(key)) {
      copy ??= { ...body };
      delete copy[key];
    }
  }
  return copy ?? body;
}

function parseNative(input: Record<string, unknown>): MightyCallNativeEvent | MightyCallUnknownNativeEvent {
  const type = input.EventType;
  if (typeof type !== "string" || type === "") {
    throw new WebhookValidationError("invalid_payload", "Invalid MightyCall native payload: EventType must be a non-empty string.", [
      { path: "EventType", message: "Expected a non-empty string" },
    ]);
  }
  if (!isMightyCallNativeEventType(type)) {
    // Checked only for lengths that would break a storage's keys; returned exactly as sent. The
    // label does not repeat the EventType, which may be the over-long value.
    const unknown = mightyCallNativeSchemas().mightyCallUnknownNativeEventSchema.safeParse(input);
    if (!unknown.success) throw toValidationError("MightyCall native", unknown.error);
    return input as MightyCallUnknownNativeEvent;
  }
  const result = mightyCallNativeSchemas().mightyCallNativeEventSchemas[type].safeParse(input);
  if (!result.success) throw toValidationError(`MightyCall "${type}"`, result.error);
  return result.data as MightyCallNativeEvent;
}

function parsePush(input: unknown): MightyCallPushEvent {
  if (!isPlainObject(input) || typeof input.event !== "string") {
    throw new WebhookValidationError(
      "invalid_payload",
      'Invalid MightyCall payload: expected a JSON object with an "event" string (push format) or an "EventType" (MightyCall native).',
      [{ path: "event", message: "Expected a string" }],
    );
  }
  const type = input.event;
  if (!isMightyCallPushEventType(type)) {
    throw new WebhookValidationError(
      "invalid_payload",
      `Unknown MightyCall push event; expected one of ${mightyCallPushEventTypes.join(", ")}.`,
      [{ path: "event", message: "Unknown event" }],
    );
  }
  const result = mightyCallPushSchemas().mightyCallPushEventSchemas[type].safeParse(input);
  if (!result.success) throw toValidationError(`MightyCall "${type}"`, result.error);
  return result.data;
}

/**
 * Validates a parsed MightyCall body of either format. Push events are checked strictly and an
 * unknown push `event` is an error; a native event with an unknown `EventType` is returned as sent.
 * The account key (`ApiKey`) is removed: check it first (the handler does, or `verifyMightyCallApiKey`).
 * Throws `WebhookValidationError` (HTTP 400).
 */
export function parseMightyCallEvent(input: unknown): MightyCallEvent {
  if (mightyCallFormat(input) === "native") return parseNative(withoutApiKey(input as Record<string, unknown>));
  return parsePush(input);
}
