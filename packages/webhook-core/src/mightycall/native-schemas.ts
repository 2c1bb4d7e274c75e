import { z } from "zod";
import { isPlainObject, once, opt } from "../schema-helpers.js";
import { MIGHTYCALL_MAX_ID_LENGTH } from "./push-schemas.js";
import { timestampSchema } from "./time.js";
import type { MightyCallNativeEventMap } from "./types.generated.js";

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

/*
 * Lenient, but not unbounded: the Guid, the call id, the numbers and the extension become the
 * duplicate key, record ids and indexed columns of a storage, which a multi-kilobyte value would
 * break on every retry. MightyCall's are GUIDs and E.164 numbers, far below the cap; a longer value
 * is not a real event, so the one cap (256) serves them all.
 */
const MAX = MIGHTYCALL_MAX_ID_LENGTH;

/** Built on first use, not at import (see `mightyCallPushSchemas`). */
export const mightyCallNativeSchemas = once(() => {
  const mightyCallNativeBodySchema = z.looseObject({
    /** The call id: the same across every event of one call. */
    Id: z.string().min(1).max(MAX),
    /** Inbound: the caller; outbound and callback: the business number. */
    From: opt(z.string().max(MAX)),
    /** Inbound: the business number; outbound and callback: the customer. */
    To: opt(z.string().max(MAX)),
    /**
     * The user extension ringing or connected. Sources disagree on its type, so both are accepted.
     * Capped too: a native event without a Guid is deduplicated by a key that includes it.
     */
    Extension: opt(z.union([z.string().max(MAX), z.number()])),
  });

  function nativeEvent<const T extends MightyCallNativeEventType>(type: T) {
    return z.looseObject({
      EventType: z.literal(type),
      Body: mightyCallNativeBodySchema,
      /** The event id (idempotency key). */
      Guid: opt(z.string().min(1).max(MAX)),
      /** UTC, with up to 7 fractional digits (.NET ticks), e.g. `2017-05-25T08:58:10.5140000Z`. */
      Timestamp: timestampSchema(7),
    });
  }

  const mightyCallNativeEventSchemas = Object.fromEntries(mightyCallNativeEventTypes.map((type) => [type, nativeEvent(type)])) as {
    readonly [K in MightyCallNativeEventType]: ReturnType<typeof nativeEvent<K>>;
  };

  const TOO_LONG = `Expected at most ${MAX} characters`;
  /** A value of any type (the format may change), but a string no longer than the cap. */
  const boundedIfText = (value: unknown) => typeof value !== "string" || value.length <= MAX;

  /**
   * An EventType MightyCall added after this version: acknowledged and recorded, never an error. Its
   * fields are not checked — their types may be new — except the lengths of what names it in storage
   * (EventType, Guid, Timestamp and the Body's Id, From, To, Extension: the duplicate key, the call id).
   */
  const mightyCallUnknownNativeEventSchema = z.looseObject({
    EventType: z
      .string()
      .max(MAX)
      .refine((type) => !isMightyCallNativeEventType(type), "A known EventType must match its schema"),
    // A refined schema is required in zod 4 even when it accepts undefined: hence the `.optional()`.
    Guid: z.unknown().refine(boundedIfText, TOO_LONG).optional(),
    Timestamp: z.unknown().refine(boundedIfText, TOO_LONG).optional(),
    Body: z
      .unknown()
      .superRefine((body, ctx) => {
        if (!isPlainObject(body)) return;
        for (const field of ["Id", "From", "To", "Extension"]) {
          if (!boundedIfText(body[field])) ctx.addIssue({ code: "custom", path: [field], message: TOO_LONG });
        }
      })
      .optional(),
  });

  return { mightyCallNativeBodySchema, mightyCallNativeEventSchemas, mightyCallUnknownNativeEventSchema };
});

export type { MightyCallNativeBody, MightyCallNativeEventMap, MightyCallUnknownNativeEvent } from "./types.generated.js";

export type MightyCallNativeEventOf<K extends MightyCallNativeEventType> = MightyCallNativeEventMap[K];
/** Any known native event. */
export type MightyCallNativeEvent = MightyCallNativeEventMap[MightyCallNativeEventType];

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
