import { describe, expect, expectTypeOf, it } from "vitest";
import {
  mightyCallNativeEventTypes,
  mightyCallPushEventTypes,
  parseMightyCallEvent,
  WebhookValidationError,
  type MightyCallEventOf,
  type MightyCallNativeEventOf,
} from "@callhooks/webhook-core";
import { mightyCallSample } from "@callhooks/webhook-core/testing";

/** The error `parseMightyCallEvent` throws for `input`, or undefined when it parses. */
function rejection(input: unknown): WebhookValidationError | undefined {
  try {
    parseMightyCallEvent(input);
    return undefined;
  } catch (error) {
    if (error instanceof WebhookValidationError) return error;
    throw error;
  }
}

const call = (patch: Record<string, unknown>) => ({ ...mightyCallSample("call.completed"), ...patch });
const native = (patch: Record<string, unknown>) => ({ ...mightyCallSample("IncomingCallConnected"), ...patch });
const daily = (patch: Record<string, unknown>) => ({ ...mightyCallSample("report.daily"), ...patch });
const metric = (value: unknown) => daily({ metrics: [{ metric_type: "calls_total", value, unit: "count" }] });

describe("samples", () => {
  it("has a valid sample of every event of both formats", () => {
    for (const type of [...mightyCallPushEventTypes, ...mightyCallNativeEventTypes]) {
      expect(rejection(mightyCallSample(type)), type).toBeUndefined();
    }
    expect(mightyCallPushEventTypes).toHaveLength(6);
    expect(mightyCallNativeEventTypes).toHaveLength(13);
  });
});

describe("push format: strict, the contract is ours", () => {
  it("accepts a duration of 0 (a missed call), which the originating receivers rejected", () => {
    expect(rejection(call({ duration: 0, status: "missed" }))).toBeUndefined();
    expect(rejection({ ...mightyCallSample("recording.available"), duration: 0 })).toBeUndefined();
    expect(rejection(call({ duration: -1 }))?.issues[0]?.path).toBe("duration");
    expect(rejection(call({ duration: 1.5 }))?.issues[0]?.path).toBe("duration");
    expect(rejection(call({ duration: "247" }))?.issues[0]?.path).toBe("duration");
  });

  it.each([
    "2026-03-14T14:32:07Z",
    "2026-03-14T14:32:07.318Z",
    "2026-03-14T14:32:07.123456789Z",
    "2026-03-14T16:32:07+02:00",
    "2026-03-14T09:32:07-05:00",
    "2024-02-29T23:59:59Z",
  ])("accepts the RFC 3339 timestamp %s", (timestamp) => {
    expect(rejection(call({ timestamp }))).toBeUndefined();
  });

  it.each([
    ["a day that does not exist", "2026-02-30T10:00:00Z"],
    ["February 29 of a common year", "2025-02-29T10:00:00Z"],
    ["month 13", "2026-13-01T10:00:00Z"],
    ["hour 24", "2026-03-14T24:00:00Z"],
    ["minute 60", "2026-03-14T14:60:00Z"],
    ["a space for the T", "2026-03-14 15:09:26Z"],
    ["no zone (local time by guess)", "2026-03-14T15:09:26"],
    ["a US date", "03/14/2026 15:06"],
    ["10 fractional digits", "2026-03-14T14:32:07.1234567890Z"],
    ["an offset beyond 23:59", "2026-03-14T14:32:07+24:00"],
    ["a date without a time", "2026-03-14"],
  ])("rejects %s (%s)", (_label, timestamp) => {
    const error = rejection(call({ timestamp }));
    expect(error?.code).toBe("invalid_payload");
    expect(error?.issues[0]?.path).toBe("timestamp");
    // The message says what is expected without echoing the input.
    expect(error?.message).not.toContain(timestamp);
  });

  it("rejects what Date.parse would silently roll over or guess", () => {
    // The lenient parser the originating code used accepts all three.
    for (const timestamp of ["2026-02-30T10:00:00Z", "2026-03-14 15:09:26", "03/14/2026 15:06"]) {
      expect(Number.isNaN(Date.parse(timestamp))).toBe(false);
      expect(rejection(call({ timestamp }))).toBeDefined();
    }
  });

  it("requires a real calendar date for reports", () => {
    expect(rejection(daily({ date: "2026-02-30" }))?.issues[0]?.path).toBe("date");
    expect(rejection(daily({ date: "2026-3-14" }))?.issues[0]?.path).toBe("date");
    expect(rejection(daily({ date: "2024-02-29" }))).toBeUndefined();
  });

  it("accepts finite, non-negative metric values only", () => {
    expect(rejection(metric(0))).toBeUndefined();
    expect(rejection(metric(212.4))).toBeUndefined();
    for (const value of [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "58", null]) {
      expect(rejection(metric(value))?.issues[0]?.path, String(value)).toBe("metrics[0].value");
    }
  });

  it("requires non-empty metrics, of the ten known types, each at most once", () => {
    expect(rejection(daily({ metrics: [] }))?.issues[0]?.path).toBe("metrics");
    expect(rejection(daily({ metrics: [{ metric_type: "calls_dropped", value: 1 }] }))?.issues[0]?.path).toBe("metrics[0].metric_type");
    const twice = [
      { metric_type: "calls_total", value: 1 },
      { metric_type: "calls_total", value: 2 },
    ];
    expect(rejection(daily({ metrics: twice }))?.issues[0]?.path).toBe("metrics[1].metric_type");
    expect(rejection(daily({ metrics: [{ metric_type: "calls_total", value: 1 }] }))).toBeUndefined();
  });

  it("requires hour 0–23 on hourly reports and a report_type that matches the event", () => {
    const hourly = (patch: Record<string, unknown>) => ({ ...mightyCallSample("report.hourly"), ...patch });
    expect(rejection(hourly({ hour: 0 }))).toBeUndefined();
    expect(rejection(hourly({ hour: 23 }))).toBeUndefined();
    for (const hour of [24, -1, 1.5, undefined]) expect(rejection(hourly({ hour }))?.issues[0]?.path, String(hour)).toBe("hour");
    expect(rejection(daily({ report_type: "hourly" }))?.issues[0]?.path).toBe("report_type");
  });

  it("closes the enums: direction, call status, SMS status", () => {
    expect(rejection(call({ direction: "sideways" }))?.issues[0]?.path).toBe("direction");
    expect(rejection(call({ status: "busy" }))?.issues[0]?.path).toBe("status");
    expect(rejection({ ...mightyCallSample("sms.sent"), status: "delivered" })?.issues[0]?.path).toBe("status");
    for (const status of ["completed", "missed", "voicemail", "transferred"]) expect(rejection(call({ status }))).toBeUndefined();
  });

  it("requires the ids and refuses an empty one", () => {
    expect(rejection(call({ call_id: undefined }))?.issues[0]?.path).toBe("call_id");
    expect(rejection(call({ call_id: "" }))?.issues[0]?.path).toBe("call_id");
    expect(rejection({ ...mightyCallSample("sms.received"), sms_id: undefined })?.issues[0]?.path).toBe("sms_id");
  });

  it("caps ids at 256 characters and phone numbers at 64, so a database index can always take them", () => {
    const at = (length: number) => "i".repeat(length);
    const number = (length: number) => `+${"5".repeat(length - 1)}`;
    const sms = (patch: Record<string, unknown>) => ({ ...mightyCallSample("sms.received"), ...patch });
    const recording = (patch: Record<string, unknown>) => ({ ...mightyCallSample("recording.available"), ...patch });
    const cases: Array<[string, (value: string) => unknown, (length: number) => string, number]> = [
      ["call_id", (call_id) => call({ call_id }), at, 256],
      ["org_id", (org_id) => call({ org_id }), at, 256],
      ["integration_id", (integration_id) => call({ integration_id }), at, 256],
      ["phone_number", (phone_number) => call({ phone_number }), number, 64],
      ["caller_phone", (caller_phone) => call({ caller_phone }), number, 64],
      ["sms_id", (sms_id) => sms({ sms_id }), at, 256],
      ["sender", (sender) => sms({ sender }), number, 64],
      ["recipient", (recipient) => sms({ recipient }), number, 64],
      ["recording_id", (recording_id) => recording({ recording_id }), at, 256],
      ["call_id", (call_id) => recording({ call_id }), at, 256],
      ["report_id", (report_id) => daily({ report_id }), at, 256],
      ["phone_number", (phone_number) => daily({ phone_number }), number, 64],
    ];
    for (const [field, event, value, max] of cases) {
      expect(rejection(event(value(max))), `${field} at ${max}`).toBeUndefined();
      const error = rejection(event(value(max + 1)));
      expect(error?.code, `${field} at ${max + 1}`).toBe("invalid_payload");
      expect(error?.issues[0]?.path).toBe(field);
    }
  });

  it("accepts an empty SMS text and a recording without a call", () => {
    expect(rejection({ ...mightyCallSample("sms.received"), message: "" })).toBeUndefined();
    expect(rejection({ ...mightyCallSample("recording.available"), call_id: undefined })).toBeUndefined();
  });

  it("refuses an unknown push event, naming the known ones", () => {
    const error = rejection({ ...mightyCallSample("call.completed"), event: "call.started" });
    expect(error?.code).toBe("invalid_payload");
    expect(error?.message).toContain("call.completed");
    expect(rejection({ call_id: "x" })?.code).toBe("invalid_payload");
    expect(rejection([1, 2])?.code).toBe("invalid_payload");
  });

  it("keeps fields beyond the contract", () => {
    const event = parseMightyCallEvent(call({ queue: "sales" })) as Record<string, unknown>;
    expect(event.queue).toBe("sales");
  });
});

describe("native format: lenient, the format is MightyCall's", () => {
  it("accepts 1 to 7 fractional digits, and no more", () => {
    for (const Timestamp of ["2026-03-14T14:28:06.4410000Z", "2026-03-14T14:28:06.4Z", "2026-03-14T14:28:06Z"]) {
      expect(rejection(native({ Timestamp })), Timestamp).toBeUndefined();
    }
    const error = rejection(native({ Timestamp: "2026-03-14T14:28:06.44100000Z" }));
    expect(error?.issues[0]).toEqual({ path: "Timestamp", message: "Expected at most 7 fractional second digits" });
  });

  it("rejects a rolled-over native date", () => {
    expect(rejection(native({ Timestamp: "2026-02-30T14:28:06.4410000Z" }))?.issues[0]?.path).toBe("Timestamp");
  });

  it("accepts Extension as a string or a number, and none at all", () => {
    const withNumber = parseMightyCallEvent(native({ Body: { ...mightyCallSample("IncomingCallConnected").Body, Extension: 102 } }));
    expect((withNumber as MightyCallNativeEventOf<"IncomingCallConnected">).Body.Extension).toBe(102);
    expect(rejection(native({ Body: { ...mightyCallSample("IncomingCallConnected").Body, Extension: "102" } }))).toBeUndefined();
    expect(rejection(mightyCallSample("IncomingCall"))).toBeUndefined();
    expect(rejection(native({ Body: { ...mightyCallSample("IncomingCallConnected").Body, Extension: { n: 1 } } }))?.issues[0]?.path).toBe(
      "Body.Extension",
    );
  });

  it("needs the call id and the time, nothing else", () => {
    const { Guid: _guid, ...withoutGuid } = mightyCallSample("IncomingCallRinging");
    expect(rejection(withoutGuid)).toBeUndefined();
    expect(rejection(native({ Body: { From: "+1", To: "+2" } }))?.issues[0]?.path).toBe("Body.Id");
    expect(rejection(native({ Timestamp: undefined }))?.issues[0]?.path).toBe("Timestamp");
    const extra = parseMightyCallEvent(native({ Queue: "sales" })) as Record<string, unknown>;
    expect(extra.Queue).toBe("sales");
  });

  it("caps Guid, Body.Id, From, To and Extension at 256 characters (far beyond a GUID or an E.164 number)", () => {
    const body = mightyCallSample("IncomingCallConnected").Body;
    const long = (length: number) => "7".repeat(length);
    const cases: Array<[string, (value: string) => unknown]> = [
      ["Guid", (Guid) => native({ Guid })],
      ["Body.Id", (Id) => native({ Body: { ...body, Id } })],
      ["Body.From", (From) => native({ Body: { ...body, From } })],
      ["Body.To", (To) => native({ Body: { ...body, To } })],
      ["Body.Extension", (Extension) => native({ Body: { ...body, Extension } })],
    ];
    for (const [path, event] of cases) {
      expect(rejection(event(long(256))), path).toBeUndefined();
      const error = rejection(event(long(257)));
      expect(error?.code, path).toBe("invalid_payload");
      expect(error?.issues[0]?.path).toBe(path);
    }
  });

  it("caps what identifies an unknown EventType too (its name, Guid, call id), and nothing else", () => {
    const unknown = {
      EventType: "IncomingCallTransferred",
      Body: { Id: "c1", Target: "102" },
      Guid: "g1",
      Timestamp: "2026-03-14T14:30:00Z",
    };
    const long = "7".repeat(257);
    for (const [path, event] of [
      ["EventType", { ...unknown, EventType: `X${long}` }],
      ["Guid", { ...unknown, Guid: long }],
      ["Timestamp", { ...unknown, Timestamp: long }],
      ["Body.Id", { ...unknown, Body: { Id: long } }],
      ["Body.From", { ...unknown, Body: { Id: "c1", From: long } }],
      ["Body.To", { ...unknown, Body: { Id: "c1", To: long } }],
      ["Body.Extension", { ...unknown, Body: { Id: "c1", Extension: long } }],
    ] as const) {
      const error = rejection(event);
      expect(error?.code, path).toBe("invalid_payload");
      expect(error?.issues[0]?.path).toBe(path);
      expect(error?.message).not.toContain(long);
    }
    // Still lenient about everything else: other fields of any size, ids of other types, no Body.
    expect(rejection({ ...unknown, Body: { Id: 42, Target: long }, Notes: long })).toBeUndefined();
    expect(rejection({ EventType: "Ping" })).toBeUndefined();
  });

  it("returns an unknown EventType as sent, without its ApiKey", () => {
    const body = {
      EventType: "IncomingCallTransferred",
      Body: { Id: "c1", Target: "102" },
      Guid: "g1",
      ApiKey: "secret-key",
      Timestamp: "whenever",
    };
    const event = parseMightyCallEvent(body);
    const { ApiKey: _key, ...rest } = body;
    expect(event).toEqual(rest);
    expect(rejection({ EventType: "" })?.code).toBe("invalid_payload");
    expect(rejection({ EventType: 7 })?.code).toBe("invalid_payload");
  });

  it("removes the ApiKey, so handlers and storage never see it", () => {
    const event = parseMightyCallEvent({ ...mightyCallSample("IncomingCallCompleted"), ApiKey: "0c7d2e14-secret" });
    expect(JSON.stringify(event)).not.toContain("0c7d2e14-secret");
    expect(Object.keys(event)).not.toContain("ApiKey");
  });
});

describe("types flow from the schemas", () => {
  it("types each event by its name", () => {
    expectTypeOf<MightyCallEventOf<"call.completed">["duration"]>().toEqualTypeOf<number>();
    expectTypeOf<MightyCallEventOf<"call.completed">["status"]>().toEqualTypeOf<"completed" | "missed" | "voicemail" | "transferred">();
    expectTypeOf<MightyCallEventOf<"report.hourly">["hour"]>().toEqualTypeOf<number>();
    expectTypeOf<MightyCallEventOf<"IncomingCallConnected">["Body"]["Extension"]>().toEqualTypeOf<string | number | null | undefined>();
    expectTypeOf<MightyCallEventOf<"IncomingCallConnected">["EventType"]>().toEqualTypeOf<"IncomingCallConnected">();
  });
});
