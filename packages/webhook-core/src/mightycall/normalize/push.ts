import { recordVersion } from "../../storage/merge.js";
import type { RecordPatch } from "../../storage/types.js";
import type {
  MightyCallCallCompletedEvent,
  MightyCallPushEvent,
  MightyCallRecordingAvailableEvent,
  MightyCallReportEvent,
  MightyCallSmsEvent,
} from "../push-schemas.js";
import { instantOf } from "../time.js";

/**
 * Stages order what different events say about one record. A recording arrives after its call
 * ended, so its URL beats the one `call.completed` carried. A message's statuses rank by how final
 * they are (pending < sent/received < failed), whatever order they are delivered in.
 */
const STAGE = { call: 40, recording: 50, report: 10 } as const;
const SMS_STAGE: Record<MightyCallSmsEvent["status"], number> = { pending: 10, sent: 20, received: 20, failed: 30 };

interface Context {
  key: string;
  orgId: string | null;
}

const seconds = (value: number) => value * 1000;

function base(kind: RecordPatch["kind"], id: string, event: MightyCallPushEvent, stage: number, context: Context) {
  return {
    kind,
    provider: "mightycall",
    id,
    orgId: context.orgId,
    eventType: event.event,
    version: recordVersion(stage, instantOf(event.timestamp).epochMicros, context.key),
  } as const;
}

function callPatches(event: MightyCallCallCompletedEvent, context: Context): RecordPatch[] {
  const inbound = event.direction === "inbound";
  return [
    {
      ...base("call", event.call_id, event, STAGE.call, context),
      fields: {
        // Stated by the sender, so the derived status (from connect/end times) does not apply.
        status: event.status,
        direction: event.direction,
        from: inbound ? event.caller_phone : event.phone_number,
        to: inbound ? event.phone_number : event.caller_phone,
        businessNumber: event.phone_number,
        callerName: event.caller_name,
        durationMs: seconds(event.duration),
        recordingUrl: event.recording_url,
        endedAt: instantOf(event.timestamp).epochMs,
      },
      data: event,
    },
  ];
}

function messagePatches(event: MightyCallSmsEvent, context: Context): RecordPatch[] {
  return [
    {
      ...base("message", event.sms_id, event, SMS_STAGE[event.status], context),
      fields: {
        direction: event.direction,
        from: event.sender,
        to: event.recipient,
        businessNumber: event.phone_number,
        body: event.message,
        status: event.status,
        sentAt: instantOf(event.timestamp).epochMs,
      },
      data: event,
    },
  ];
}

function recordingPatches(event: MightyCallRecordingAvailableEvent, context: Context): RecordPatch[] {
  const recording: RecordPatch = {
    ...base("recording", event.recording_id, event, STAGE.recording, context),
    fields: {
      callId: event.call_id,
      url: event.url,
      durationMs: seconds(event.duration),
      format: event.format,
      sizeBytes: event.size_bytes,
      businessNumber: event.phone_number,
      availableAt: instantOf(event.timestamp).epochMs,
    },
    data: event,
  };
  if (!event.call_id) return [recording];
  // The call learns where its recording is, whichever of the two events arrives first.
  return [recording, { ...base("call", event.call_id, event, STAGE.recording, context), fields: { recordingUrl: event.url } }];
}

function reportPatches(event: MightyCallReportEvent, context: Context): RecordPatch[] {
  const metrics = Object.fromEntries(event.metrics.map((m) => [m.metric_type, { value: m.value, unit: m.unit ?? null }]));
  return [
    {
      ...base("report", event.report_id, event, STAGE.report, context),
      fields: {
        reportType: event.report_type,
        date: event.date,
        hour: event.event === "report.hourly" ? event.hour : undefined,
        businessNumber: event.phone_number,
        metrics,
        generatedAt: instantOf(event.timestamp).epochMs,
      },
      data: event,
    },
  ];
}

/** The records a push event contributes: a call, a message, a recording (and its call's URL), or a report. */
export function mightyCallPushRecords(event: MightyCallPushEvent, context: Context): RecordPatch[] {
  switch (event.event) {
    case "call.completed":
      return callPatches(event, context);
    case "sms.received":
    case "sms.sent":
      return messagePatches(event, context);
    case "recording.available":
      return recordingPatches(event, context);
    case "report.daily":
    case "report.hourly":
      return reportPatches(event, context);
  }
}
