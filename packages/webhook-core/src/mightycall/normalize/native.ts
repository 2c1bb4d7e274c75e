import { recordVersion } from "../../storage/merge.js";
import type { RecordPatch } from "../../storage/types.js";
import { nativeEventMeaning, type MightyCallNativeEvent, type NativeEventMeaning } from "../native-schemas.js";
import { instantOf } from "../time.js";

/** Later phases win for the facts every event repeats (numbers, direction) and for `endedAt`. */
const STAGE: Record<NativeEventMeaning["phase"], number> = {
  started: 10,
  ringing: 20,
  stopped_ringing: 25,
  connected: 30,
  completed: 40,
};

interface Context {
  key: string;
  orgId: string | null;
}

const nonEmpty = (value: string | null | undefined) => (value ? value : undefined);

/**
 * The call-record patches of one native event. Native events state when things happened, never the
 * outcome: `status` and `durationMs` are left to `deriveCallFields` (missed when Completed comes
 * without Connected; talk time Connected → Completed), so the record is the same in any order.
 *
 * Two patches per event, because two fields want the earliest event rather than the latest:
 * `startedAt` (the first event seen before completion, so a lost IncomingCall still leaves a start)
 * and `connectedAt`/`extension` (the first answer, should a call connect twice). Their version
 * counts time backwards so that the earliest wins the merge.
 */
export function mightyCallNativeRecords(event: MightyCallNativeEvent, context: Context): RecordPatch[] {
  const meaning = nativeEventMeaning(event.EventType);
  const { epochMs, epochMicros } = instantOf(event.Timestamp);
  const body = event.Body;
  const from = nonEmpty(body.From);
  const to = nonEmpty(body.To);
  const common = { kind: "call", provider: "mightycall", id: body.Id, orgId: context.orgId, eventType: event.EventType } as const;
  const patches: RecordPatch[] = [
    {
      ...common,
      version: recordVersion(STAGE[meaning.phase], epochMicros, context.key),
      fields: {
        direction: meaning.direction,
        callType: meaning.kind === "callback" ? "callback" : "phone_call",
        from,
        to,
        businessNumber: meaning.direction === "inbound" ? to : from,
        endedAt: meaning.phase === "completed" ? epochMs : undefined,
      },
    },
  ];
  if (meaning.phase !== "completed") {
    const connected = meaning.phase === "connected";
    const extension = body.Extension == null ? undefined : String(body.Extension);
    patches.push({
      ...common,
      version: recordVersion(STAGE.started, Number.MAX_SAFE_INTEGER - epochMicros, context.key),
      fields: {
        startedAt: epochMs,
        connectedAt: connected ? epochMs : undefined,
        extension: connected ? nonEmpty(extension) : undefined,
      },
    });
  }
  return patches;
}
