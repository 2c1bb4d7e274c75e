import type { MightyCallEventOf, MightyCallEventType } from "../mightycall/events.js";
import { nativeEventMeaning, type MightyCallNativeEventType } from "../mightycall/native-schemas.js";
import { isMightyCallPushEventType, type MightyCallPushEventType } from "../mightycall/push-schemas.js";

export interface MightyCallSampleOptions {
  /** Push: `call_id` (and the recording's call); native: `Body.Id`. */
  callId?: string;
  /** Push `org_id` (default `org_sample`); `null` leaves it out (then give `integrationId`). */
  orgId?: string | null;
  /** Push `integration_id`; absent by default. */
  integrationId?: string;
  /** Native `Guid` (default: derived from the call id and the EventType, so each event has its own). */
  guid?: string;
  /** Epoch ms the call started at (default 2026-03-14T14:28:00Z); each event's time follows from it. */
  startedAt?: number;
}

const BUSINESS = "+12125550142";
const CUSTOMER = "+14155550187";
const DEFAULT_START = Date.UTC(2026, 2, 14, 14, 28);

/** A GUID-shaped id that is the same for the same input (FNV-1a, four lanes). */
function guidOf(input: string): string {
  let hex = "";
  for (let lane = 0; lane < 4; lane++) {
    let hash = 0x811c9dc5 ^ lane;
    for (let i = 0; i < input.length; i++) hash = Math.imul(hash ^ input.charCodeAt(i), 0x01000193);
    hex += (hash >>> 0).toString(16).padStart(8, "0");
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** MightyCall writes .NET's 7 fractional digits. */
const nativeTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, "0000Z");
const pushTime = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** When each phase happens, ms after the call started: rings, is answered after 6.3 s, talks 4 minutes. */
const PHASE_OFFSET = { started: 0, ringing: 800, stopped_ringing: 6_300, connected: 6_303, completed: 253_400 } as const;
const TALK_MS = PHASE_OFFSET.completed - PHASE_OFFSET.connected;

function nativeSample(type: MightyCallNativeEventType, options: MightyCallSampleOptions) {
  const { direction, kind, phase } = nativeEventMeaning(type);
  const callId = options.callId ?? guidOf(`call:${kind}`);
  const start = options.startedAt ?? DEFAULT_START;
  const inbound = direction === "inbound";
  return {
    EventType: type,
    Body: {
      From: inbound ? CUSTOMER : BUSINESS,
      To: inbound ? BUSINESS : CUSTOMER,
      Id: callId,
      ...(phase !== "started" && { Extension: "101" }),
    },
    Guid: options.guid ?? guidOf(`${callId}:${type}`),
    Timestamp: nativeTime(start + PHASE_OFFSET[phase]),
  };
}

function pushSample(type: MightyCallPushEventType, options: MightyCallSampleOptions) {
  const start = options.startedAt ?? DEFAULT_START;
  const ended = start + PHASE_OFFSET.completed;
  const callId = options.callId ?? "call_sample0000000001";
  const tenant = {
    ...(options.orgId !== null && { org_id: options.orgId ?? "org_sample" }),
    ...(options.integrationId !== undefined && { integration_id: options.integrationId }),
  };
  const day = new Date(start).toISOString().slice(0, 10);
  const hour = new Date(start).getUTCHours();
  const metrics = [
    { metric_type: "calls_total", value: 12, unit: "count" },
    { metric_type: "calls_missed", value: 0, unit: "count" },
    { metric_type: "avg_call_duration", value: 187.5, unit: "seconds" },
  ];
  switch (type) {
    case "call.completed":
      return {
        event: type,
        call_id: callId,
        phone_number: BUSINESS,
        caller_name: "Maria Gonzalez",
        caller_phone: CUSTOMER,
        duration: Math.round(TALK_MS / 1000),
        status: "completed",
        direction: "inbound",
        recording_url: `https://recordings.example.com/${callId}.mp3`,
        timestamp: pushTime(ended),
        ...tenant,
      };
    case "sms.received":
    case "sms.sent": {
      const received = type === "sms.received";
      return {
        event: type,
        sms_id: received ? "sms_sample_received01" : "sms_sample_sent000001",
        phone_number: BUSINESS,
        direction: received ? "inbound" : "outbound",
        sender: received ? CUSTOMER : BUSINESS,
        recipient: received ? BUSINESS : CUSTOMER,
        message: received ? "Can I move my appointment to 3pm?" : "Done: Tuesday at 3:00 PM.",
        status: received ? "received" : "sent",
        timestamp: pushTime(ended + (received ? 60_000 : 120_000)),
        ...tenant,
      };
    }
    case "recording.available":
      return {
        event: type,
        recording_id: "rec_sample0000000001",
        call_id: callId,
        phone_number: BUSINESS,
        url: `https://recordings.example.com/${callId}.mp3`,
        duration: Math.round(TALK_MS / 1000),
        format: "mp3",
        size_bytes: 3_952_640,
        timestamp: pushTime(ended + 30_000),
        ...tenant,
      };
    case "report.daily":
      return {
        event: type,
        report_id: `rep_d_${day}`,
        report_type: "daily",
        date: day,
        phone_number: BUSINESS,
        metrics,
        timestamp: `${day}T23:59:59Z`,
        ...tenant,
      };
    case "report.hourly":
      return {
        event: type,
        report_id: `rep_h_${day}_${hour}`,
        report_type: "hourly",
        date: day,
        hour,
        phone_number: BUSINESS,
        metrics,
        timestamp: pushTime(start + 3_600_000),
        ...tenant,
      };
  }
}

/**
 * A small, valid example of every MightyCall event of both formats, for tests, the demo and
 * `callhooks send`. Native samples of one call share its `Body.Id` and follow one timeline; they
 * carry no `ApiKey` (the request builders add it).
 */
export function mightyCallSample<K extends MightyCallEventType>(type: K, options: MightyCallSampleOptions = {}): MightyCallEventOf<K> {
  const sample = isMightyCallPushEventType(type) ? pushSample(type, options) : nativeSample(type as MightyCallNativeEventType, options);
  return sample as unknown as MightyCallEventOf<K>;
}
