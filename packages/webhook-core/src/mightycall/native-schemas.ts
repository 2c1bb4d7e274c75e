import { z } from "zod";
import { opt } from "../schema-helpers.js";
import { timestampSchema } from "./time.js";

/*
 * MightyCall's own call-progress webhooks: `{EventType, Body:{Id,From,To,Extension?}, Guid, ApiKey,
 * Timestamp}`, as documented for the MightyCall platform (Yandex.Telephony white label) and handled
 * by public CRM integrations. The format is MightyCall's, so it is read leniently: objects are
 * loose, everything but the call id and the time is optional, and an EventType added later is
 * accepted and recorded (see `mightyCallUnknownNativeEventSchema`).
 *
 * `ApiKey` is deliberately absent from these schemas: `parseMightyCallEvent` removes it before
 * validation, once the handler has checked it, so the key never reaches handlers, logs or storage.
 */

export const mightyCallNativeEventTypes = [
  "IncomingCall",
  "IncomingCallRinging",
  "IncomingCallStopRinging",
  "IncomingCallConnected",
  "IncomingCallCompleted",
  "OutgoingCall",
  "OutgoingCallConnected",
  "OutgoingCallCompleted",
  "CallbackCall",
  "CallbackCallRinging",
  "CallbackCallStopRinging",
  "CallbackCallConnected",
  "CallbackCallCompleted",
] as const;

export type MightyCallNativeEventType = (typeof mightyCallNativeEventTypes)[number];

export const mightyCallNativeBodySchema = z.looseObject({
  /** The call id: the same across every event of one call. */
  Id: z.string().min(1),
  /** Inbound: the caller; outbound and callback: the business number. */
  From: opt(z.string()),
  /** Inbound: the business number; outbound and callback: the customer. */
  To: opt(z.string()),
  /** The user extension ringing or connected. Sources disagree on its type, so both are accepted. */
  Extension: opt(z.union([z.string(), z.number()])),
});

function nativeEvent<const T extends MightyCallNativeEventType>(type: T) {
  return z.looseObject({
    EventType: z.literal(type),
    Body: mightyCallNativeBodySchema,
    /** The event id (idempotency key). */
    Guid: opt(z.string().min(1)),
    /** UTC, with up to 7 fractional digits (.NET ticks), e.g. `2017-05-25T08:58:10.5140000Z`. */
    Timestamp: timestampSchema(7),
  });
}

export const mightyCallNativeEventSchemas = Object.fromEntries(
  mightyCallNativeEventTypes.map((type) => [type, nativeEvent(type)]),
) as { readonly [K in MightyCallNativeEventType]: ReturnType<typeof nativeEvent<K>> };

/** An EventType MightyCall added after this version: acknowledged and recorded, never an error. */
export const mightyCallUnknownNativeEventSchema = z.looseObject({
  EventType: z
    .string()
    .refine((type) => !isMightyCallNativeEventType(type), "A known EventType must match its schema"),
});

export type MightyCallNativeEventOf<K extends MightyCallNativeEventType> = z.infer<(typeof mightyCallNativeEventSchemas)[K]>;
export type MightyCallNativeEventMap = { [K in MightyCallNativeEventType]: MightyCallNativeEventOf<K> };
/** Any known native event. */
export type MightyCallNativeEvent = MightyCallNativeEventMap[MightyCallNativeEventType];
export type MightyCallNativeBody = z.infer<typeof mightyCallNativeBodySchema>;
export type MightyCallUnknownNativeEvent = z.infer<typeof mightyCallUnknownNativeEventSchema>;

export function isMightyCallNativeEventType(type: string): type is MightyCallNativeEventType {
  return (mightyCallNativeEventTypes as readonly string[]).includes(type);
}

/** What a native EventType says: which way the call goes and how far it has got. */
export interface NativeEventMeaning {
  direction: "inbound" | "outbound";
  /** MightyCall's three call kinds. */
  kind: "incoming" | "outgoing" | "callback";
  phase: "started" | "ringing" | "stopped_ringing" | "connected" | "completed";
}

const PHASES = {
  "": "started",
  Ringing: "ringing",
  StopRinging: "stopped_ringing",
  Connected: "connected",
  Completed: "completed",
} as const;

export function nativeEventMeaning(type: MightyCallNativeEventType): NativeEventMeaning {
  const [, prefix, suffix] = /^(Incoming|Outgoing|Callback)Call(.*)$/.exec(type) as unknown as [string, string, keyof typeof PHASES];
  const kind = prefix === "Incoming" ? "incoming" : prefix === "Outgoing" ? "outgoing" : "callback";
  return { kind, direction: kind === "incoming" ? "inbound" : "outbound", phase: PHASES[suffix] };
}
