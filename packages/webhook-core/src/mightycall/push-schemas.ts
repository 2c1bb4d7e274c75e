import { z } from "zod";
import { once, opt } from "../schema-helpers.js";
import { calendarDateSchema, timestampSchema } from "./time.js";
import type { MightyCallPushEventMap } from "./types.generated.js";

/*
 * The push contract (`call.completed`, `sms.*`, `recording.available`, `report.*`): snake_case JSON
 * sent with `Authorization: Bearer <secret>`. MightyCall does not send it itself; it is the format
 * many Supabase apps built around MightyCall use, so callhooks owns it and checks it strictly:
 * closed enums, required fields, real timestamps, finite non-negative numbers. Fields beyond the
 * contract are kept (loose objects), never a reason to lose an event.
 */

/**
 * Ids and numbers become keys and indexed columns of a storage (the duplicate key, the record id,
 * from/to/business number), and PostgreSQL refuses a B-tree entry over ~2.7 KB: an uncapped id
 * would fail that event with 500 on every retry. Capped well below, so such a body is a 400 instead.
 */
export const MIGHTYCALL_MAX_ID_LENGTH = 256;
/** E.164 is at most 15 digits; 64 leaves room for formatting and extensions. */
export const MIGHTYCALL_MAX_PHONE_LENGTH = 64;

export const mightyCallDirections = ["inbound", "outbound"] as const;
export const mightyCallCallStatuses = ["completed", "missed", "voicemail", "transferred"] as const;
export const mightyCallSmsStatuses = ["sent", "received", "failed", "pending"] as const;
export const mightyCallMetricTypes = [
  "calls_total",
  "calls_completed",
  "calls_missed",
  "calls_transferred",
  "calls_abandoned",
  "avg_call_duration",
  "sms_sent",
  "sms_received",
  "queue_wait_time",
  "agent_active_time",
] as const;

/** Every push event, by name. An event name not listed here is refused (400): the contract is ours. */
export const mightyCallPushEventTypes = [
  "call.completed",
  "sms.received",
  "sms.sent",
  "recording.available",
  "report.daily",
  "report.hourly",
] as const satisfies readonly MightyCallPushEventType[];
// Every event of the map is listed: a compile error here names the one missing.
const listsEveryPushEvent: Record<Exclude<MightyCallPushEventType, (typeof mightyCallPushEventTypes)[number]>, never> = {};
void listsEveryPushEvent;

/**
 * The schemas are built on first use, not at import: an app that receives only Retell (or only one
 * MightyCall format) never pays for building them, which is a cold start on serverless hosts.
 */
export const mightyCallPushSchemas = once(() => {
  const id = z.string().min(1).max(MIGHTYCALL_MAX_ID_LENGTH);
  const phone = z.string().min(1).max(MIGHTYCALL_MAX_PHONE_LENGTH);
  /** Up to nanoseconds: RFC 3339 sets no limit, and Go and PostgreSQL write 9 and 6 digits. */
  const timestamp = timestampSchema(9);
  /** Whole seconds; 0 is a real value (a missed call), which the originating receivers rejected. */
  const seconds = z.number().int().nonnegative();
  const httpUrl = z.url({ protocol: /^https?$/ });

  /** Where the event comes from: at least one is needed, which the handler checks (400 `missing_context`). */
  const tenant = {
    org_id: opt(id),
    integration_id: opt(id),
  };

  const mightyCallCallCompletedSchema = z.looseObject({
    event: z.literal("call.completed"),
    call_id: id,
    /** The business number. */
    phone_number: phone,
    caller_name: opt(z.string()),
    /** The other party. */
    caller_phone: opt(phone),
    duration: seconds,
    status: z.enum(mightyCallCallStatuses),
    direction: z.enum(mightyCallDirections),
    recording_url: opt(httpUrl),
    timestamp,
    ...tenant,
  });

  function smsEvent<const T extends "sms.received" | "sms.sent">(event: T) {
    return z.looseObject({
      event: z.literal(event),
      sms_id: id,
      /** The business number. */
      phone_number: phone,
      direction: z.enum(mightyCallDirections),
      sender: phone,
      recipient: phone,
      /** May be empty (a picture message). */
      message: z.string(),
      status: z.enum(mightyCallSmsStatuses),
      timestamp,
      ...tenant,
    });
  }

  const mightyCallSmsReceivedSchema = smsEvent("sms.received");
  const mightyCallSmsSentSchema = smsEvent("sms.sent");

  const mightyCallRecordingAvailableSchema = z.looseObject({
    event: z.literal("recording.available"),
    recording_id: id,
    /** The call it records, when known. */
    call_id: opt(id),
    phone_number: opt(phone),
    url: httpUrl,
    duration: seconds,
    format: opt(z.string().min(1)),
    size_bytes: opt(z.number().int().nonnegative()),
    timestamp,
    ...tenant,
  });

  const mightyCallMetricSchema = z.looseObject({
    metric_type: z.enum(mightyCallMetricTypes),
    /** zod 4 numbers are finite: NaN and ±Infinity (JSON's `1e999`) are rejected. */
    value: z.number().nonnegative(),
    unit: opt(z.string()),
  });

  /** Non-empty, one entry per metric type (a report keeps metrics by type: a repeat would be lost). */
  const metrics = z
    .array(mightyCallMetricSchema)
    .min(1)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [index, metric] of list.entries()) {
        if (seen.has(metric.metric_type)) {
          ctx.addIssue({ code: "custom", path: [index, "metric_type"], message: "Each metric_type may appear once per report" });
        }
        seen.add(metric.metric_type);
      }
    });

  const reportFields = {
    report_id: id,
    date: calendarDateSchema,
    phone_number: opt(phone),
    metrics,
    timestamp,
    ...tenant,
  };

  const mightyCallReportDailySchema = z.looseObject({
    event: z.literal("report.daily"),
    report_type: z.literal("daily"),
    ...reportFields,
  });

  const mightyCallReportHourlySchema = z.looseObject({
    event: z.literal("report.hourly"),
    report_type: z.literal("hourly"),
    /** The hour of `date` the report covers, 0–23. */
    hour: z.number().int().min(0).max(23),
    ...reportFields,
  });

  const mightyCallPushEventSchemas = {
    "call.completed": mightyCallCallCompletedSchema,
    "sms.received": mightyCallSmsReceivedSchema,
    "sms.sent": mightyCallSmsSentSchema,
    "recording.available": mightyCallRecordingAvailableSchema,
    "report.daily": mightyCallReportDailySchema,
    "report.hourly": mightyCallReportHourlySchema,
  } as const;

  const mightyCallPushEventSchema = z.discriminatedUnion("event", [
    mightyCallCallCompletedSchema,
    mightyCallSmsReceivedSchema,
    mightyCallSmsSentSchema,
    mightyCallRecordingAvailableSchema,
    mightyCallReportDailySchema,
    mightyCallReportHourlySchema,
  ]);

  return {
    mightyCallCallCompletedSchema,
    mightyCallSmsReceivedSchema,
    mightyCallSmsSentSchema,
    mightyCallRecordingAvailableSchema,
    mightyCallMetricSchema,
    mightyCallReportDailySchema,
    mightyCallReportHourlySchema,
    mightyCallPushEventSchemas,
    mightyCallPushEventSchema,
  };
});

export type {
  MightyCallCallCompletedEvent,
  MightyCallMetric,
  MightyCallPushEventMap,
  MightyCallRecordingAvailableEvent,
  MightyCallReportDailyEvent,
  MightyCallReportHourlyEvent,
  MightyCallSmsReceivedEvent,
  MightyCallSmsSentEvent,
} from "./types.generated.js";

export type MightyCallPushEventType = keyof MightyCallPushEventMap;
export type MightyCallPushEventOf<K extends MightyCallPushEventType> = MightyCallPushEventMap[K];
export type MightyCallPushEvent = MightyCallPushEventMap[MightyCallPushEventType];
export type MightyCallSmsEvent = MightyCallPushEventOf<"sms.received" | "sms.sent">;
export type MightyCallReportEvent = MightyCallPushEventOf<"report.daily" | "report.hourly">;
export type MightyCallMetricType = (typeof mightyCallMetricTypes)[number];

export function isMightyCallPushEventType(type: string): type is MightyCallPushEventType {
  return (mightyCallPushEventTypes as readonly string[]).includes(type);
}
