import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createMightyCallHandler,
  MIGHTYCALL_DEFAULT_MAX_BODY_BYTES,
  WebhookConfigError,
  WEBHOOK_LIMITS,
  type HandlerContext,
  type MightyCallHandlerOptions,
  type WebhookStorage,
} from "@callhooks/webhook-core";
import {
  createMightyCallEchoRequest,
  createMightyCallNativeRequest,
  createMightyCallNativeWebhook,
  createMightyCallPushRequest,
  mightyCallSample,
} from "@callhooks/webhook-core/testing";

const fixturesRoot = fileURLToPath(new URL("../../../../shared/fixtures/mightycall/", import.meta.url));

function fixtureFiles(dir = fixturesRoot): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? fixtureFiles(path) : name.endsWith(".json") ? [path] : [];
    })
    .sort();
}

const fixtures = fixtureFiles().map((path) => {
  const text = readFileSync(path, "utf8");
  return { name: relative(fixturesRoot, path), text, json: JSON.parse(text) as Record<string, unknown> };
});
const pushFixtures = fixtures.filter((f) => typeof f.json.event === "string");
const nativeFixtures = fixtures.filter((f) => typeof f.json.EventType === "string");

/** The push contract's fields, as the fixtures carry them (each event has its own subset). */
interface PushJson {
  event: string;
  call_id: string;
  sms_id: string;
  recording_id: string;
  report_id: string;
  org_id?: string;
  integration_id?: string;
  phone_number: string;
  caller_name?: string;
  caller_phone?: string;
  duration: number;
  status: string;
  direction: string;
  recording_url?: string;
  sender: string;
  recipient: string;
  message: string;
  url: string;
  format?: string;
  size_bytes?: number;
  report_type: string;
  date: string;
  hour?: number;
  metrics: Array<{ metric_type: string; value: number; unit?: string }>;
  timestamp: string;
}

/** The account key the native fixtures carry: configured as the handler's, and never to be seen again. */
const API_KEY = nativeFixtures[0]?.json.ApiKey as string;
const SECRET = "push-secret-0f3a9c";
const NATIVE_URL = "http://localhost/webhooks/mightycall/org-native";
const orgForIntegration = (id: string) => `org-for-${id}`;
const ms = (timestamp: string | undefined) => Date.parse(timestamp as string);

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(
      `${level} ${message} ${JSON.stringify(fields ?? {}, (_k, v) => (v instanceof Error ? `${v.message} ${String(v.cause)}` : v))}`,
    );
  };
  return { lines, logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } };
}

function setup(options: Partial<MightyCallHandlerOptions> = {}) {
  const storage = createMemoryStorage();
  const { lines, logger } = recordingLogger();
  const ran: Array<{ type: string; event: unknown; context: HandlerContext }> = [];
  const record = (type: string) => async (event: unknown, context: HandlerContext) => void ran.push({ type, event, context });
  const handler = createMightyCallHandler({
    push: { secret: SECRET, resolveIntegration: orgForIntegration },
    native: { apiKey: API_KEY, orgFromUrl: (url) => url.pathname.split("/")[3] ?? null },
    storage,
    logger,
    on: {
      "call.completed": record("call.completed"),
      "sms.received": record("sms.received"),
      "sms.sent": record("sms.sent"),
      "recording.available": record("recording.available"),
      "report.daily": record("report.daily"),
      "report.hourly": record("report.hourly"),
      IncomingCall: record("IncomingCall"),
      IncomingCallConnected: record("IncomingCallConnected"),
      IncomingCallCompleted: record("IncomingCallCompleted"),
    },
    onUnknown: record("unknown"),
    ...options,
  });
  const read = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  };
  const push = async (event: unknown, extra: { secret?: string; headers?: Record<string, string> } = {}) =>
    read(
      await handler.fetch(
        createMightyCallPushRequest(event, {
          secret: "secret" in extra ? extra.secret : SECRET,
          ...(extra.headers && { headers: extra.headers }),
        }),
      ),
    );
  /** A native body is sent as is when it is a string (a fixture carries its own ApiKey). */
  const native = async (event: unknown, extra: { apiKey?: string; url?: string } = {}) =>
    read(
      await handler.fetch(
        createMightyCallNativeRequest(event, { url: extra.url ?? NATIVE_URL, ...(extra.apiKey !== undefined && { apiKey: extra.apiKey }) }),
      ),
    );
  return { storage, handler, push, native, ran, logLines: lines };
}

type Answer = Awaited<ReturnType<ReturnType<typeof setup>["push"]>>;

/**
 * An authenticated delivery that failed its schema or a limit: answered 202 so the sender stops
 * retrying, never run, and kept as quarantined with its reason (and without the account key).
 */
async function expectQuarantined(storage: WebhookStorage, response: Answer, reason: RegExp) {
  expect(response.status).toBe(202);
  expect(response.json).toMatchObject({ status: "quarantined", event_id: expect.any(String) });
  const stored = await storage.getEvent(response.json.event_id);
  expect(stored?.status).toBe("quarantined");
  expect(stored?.lastError).toMatch(reason);
  expect(stored?.issues?.length).toBeGreaterThan(0);
  expect(JSON.stringify(stored?.payload)).not.toContain(API_KEY);
  return stored;
}

describe("fixtures", () => {
  it("has fixtures of both formats", () => {
    expect(pushFixtures.length).toBeGreaterThan(0);
    expect(nativeFixtures.length).toBeGreaterThan(0);
    expect(pushFixtures.length + nativeFixtures.length).toBe(fixtures.length);
  });

  it.each(pushFixtures.map((f) => [f.name, f] as const))("accepts %s and records it", async (_name, f) => {
    const { push, storage, ran } = setup();
    const response = await push(f.text);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: "processed" });
    expect(ran.map((r) => r.type)).toEqual([f.json.event]);
    const json = f.json as unknown as PushJson;
    const orgId = json.org_id ?? orgForIntegration(json.integration_id as string);
    expect(ran[0]?.context.orgId).toBe(orgId);

    switch (json.event) {
      case "call.completed": {
        const call = await storage.getCall("mightycall", json.call_id);
        const inbound = json.direction === "inbound";
        expect(call?.orgId).toBe(orgId);
        expect(call?.fields).toMatchObject({
          status: json.status,
          direction: json.direction,
          durationMs: json.duration * 1000,
          businessNumber: json.phone_number,
          from: inbound ? json.caller_phone : json.phone_number,
          to: inbound ? json.phone_number : json.caller_phone,
          callerName: json.caller_name,
          endedAt: ms(json.timestamp),
        });
        expect(call?.fields.recordingUrl).toBe(json.recording_url ?? undefined);
        break;
      }
      case "sms.received":
      case "sms.sent": {
        const message = await storage.getRecord("message", "mightycall", json.sms_id);
        expect(message?.orgId).toBe(orgId);
        expect(message?.fields).toEqual({
          direction: json.direction,
          from: json.sender,
          to: json.recipient,
          businessNumber: json.phone_number,
          body: json.message,
          status: json.status,
          sentAt: ms(json.timestamp),
        });
        break;
      }
      case "recording.available": {
        const recording = await storage.getRecord("recording", "mightycall", json.recording_id);
        expect(recording?.fields).toEqual({
          callId: json.call_id,
          url: json.url,
          durationMs: json.duration * 1000,
          format: json.format,
          sizeBytes: json.size_bytes,
          businessNumber: json.phone_number,
          availableAt: ms(json.timestamp),
        });
        // Linked to its call, which learns where the recording is.
        expect((await storage.getCall("mightycall", json.call_id))?.fields.recordingUrl).toBe(json.url);
        break;
      }
      case "report.daily":
      case "report.hourly": {
        const report = await storage.getRecord("report", "mightycall", json.report_id);
        const { metrics } = json;
        expect(report?.orgId).toBe(orgId);
        expect(report?.fields).toMatchObject({ reportType: json.report_type, date: json.date, generatedAt: ms(json.timestamp) });
        expect(report?.fields.hour).toBe(json.hour ?? undefined);
        expect(report?.fields.metrics).toEqual(
          Object.fromEntries(metrics.map((m) => [m.metric_type, { value: m.value, unit: m.unit ?? null }])),
        );
        expect(Object.keys(report?.fields.metrics as object)).toHaveLength(metrics.length);
        break;
      }
      default:
        throw new Error(`No expectation for push event ${json.event}`);
    }
  });

  it.each(nativeFixtures.map((f) => [f.name, f] as const))("accepts %s and merges it into its call", async (_name, f) => {
    const { native, storage } = setup();
    const response = await native(f.text);
    expect(response.status).toBe(200);
    const json = f.json as {
      EventType: string;
      Body: { Id: string; From: string; To: string; Extension?: string | number };
      Timestamp: string;
    };
    const call = await storage.getCall("mightycall", json.Body.Id);
    const inbound = json.EventType.startsWith("Incoming");
    expect(call?.orgId).toBe("org-native");
    expect(call?.eventTypes).toEqual([json.EventType]);
    expect(call?.fields).toMatchObject({
      direction: inbound ? "inbound" : "outbound",
      from: json.Body.From,
      to: json.Body.To,
      businessNumber: inbound ? json.Body.To : json.Body.From,
    });
    if (json.EventType.endsWith("Completed")) {
      // Completed alone, with no Connected seen: a missed call, no talk time.
      expect(call?.fields).toMatchObject({ endedAt: ms(json.Timestamp), status: "missed", durationMs: 0 });
    } else {
      expect(call?.fields.startedAt).toBe(ms(json.Timestamp));
      expect(call?.fields.status).toBe(json.EventType.endsWith("Connected") ? "in_progress" : "ringing");
    }
    if (json.EventType.endsWith("Connected"))
      expect(call?.fields).toMatchObject({ connectedAt: ms(json.Timestamp), extension: String(json.Body.Extension) });
    // The stored event has everything MightyCall sent but the key.
    const [stored] = await storage.listEvents({ provider: "mightycall" });
    const { ApiKey: _key, ...withoutKey } = f.json;
    expect(stored?.payload).toEqual(withoutKey);
  });

  it("merges all the fixtures into one consistent set of records", async () => {
    const { push, native, storage } = setup();
    for (const f of fixtures) {
      const response = typeof f.json.event === "string" ? await push(f.text) : await native(f.text);
      expect(response.status, f.name).toBe(200);
    }
    const events = nativeFixtures.map((f) => f.json as { EventType: string; Body: { Id: string }; Timestamp: string });
    const inbound = events.filter((e) => e.EventType.startsWith("Incoming"));
    const at = (suffix: string) => ms(inbound.find((e) => e.EventType === `IncomingCall${suffix}`)?.Timestamp);
    const call = await storage.getCall("mightycall", inbound[0]?.Body.Id as string);
    expect(call?.fields).toMatchObject({
      status: "completed",
      startedAt: at(""),
      connectedAt: at("Connected"),
      endedAt: at("Completed"),
      durationMs: at("Completed") - at("Connected"),
    });
    expect(call?.eventTypes).toEqual(inbound.map((e) => e.EventType).sort());
    expect(await storage.countEvents({ provider: "mightycall" })).toMatchObject({ processed: fixtures.length, failed: 0 });
  });
});

describe("native calls", () => {
  const incoming = [
    "IncomingCall",
    "IncomingCallRinging",
    "IncomingCallStopRinging",
    "IncomingCallConnected",
    "IncomingCallCompleted",
  ] as const;

  function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [items.slice()];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
  }

  async function callAfter(order: readonly (typeof incoming)[number][]) {
    const { native, storage } = setup();
    for (const type of order) expect((await native(mightyCallSample(type, { callId: "call-perm" }), { apiKey: API_KEY })).status).toBe(200);
    const call = await storage.getCall("mightycall", "call-perm");
    return call && { orgId: call.orgId, fields: call.fields, versions: call.versions, eventTypes: call.eventTypes, data: call.data };
  }

  it("gives the same call record whichever of the 120 orders the five events arrive in", async () => {
    const orders = permutations(incoming);
    expect(orders).toHaveLength(120);
    const reference = await callAfter(incoming);
    const time = (type: (typeof incoming)[number]) => ms(mightyCallSample(type, { callId: "call-perm" }).Timestamp);
    expect(reference?.fields).toMatchObject({
      status: "completed",
      direction: "inbound",
      startedAt: time("IncomingCall"),
      connectedAt: time("IncomingCallConnected"),
      endedAt: time("IncomingCallCompleted"),
      durationMs: time("IncomingCallCompleted") - time("IncomingCallConnected"),
      extension: "101",
    });
    for (const order of orders) expect(await callAfter(order), order.join(" → ")).toEqual(reference);
  });

  it("records a missed call (Completed without Connected) in any order", async () => {
    const unanswered = incoming.filter((type) => type !== "IncomingCallConnected");
    const reference = await callAfter(unanswered);
    expect(reference?.fields).toMatchObject({ status: "missed", durationMs: 0 });
    expect(reference?.fields.connectedAt).toBeUndefined();
    for (const order of permutations(unanswered)) expect(await callAfter(order)).toEqual(reference);
  });

  it("records a numeric Extension as text", async () => {
    const { native, storage } = setup();
    const event = mightyCallSample("IncomingCallConnected", { callId: "ext" });
    const response = await native({ ...event, Body: { ...event.Body, Extension: 102 } }, { apiKey: API_KEY });
    expect(response.status).toBe(200);
    expect((await storage.getCall("mightycall", "ext"))?.fields.extension).toBe("102");
  });

  it("acknowledges an unknown EventType, records it and runs onUnknown, without touching records", async () => {
    const { native, storage, ran } = setup();
    const event = {
      EventType: "IncomingCallTransferred",
      Body: { Id: "call-x", Target: "102" },
      Guid: "guid-x",
      Timestamp: "2026-03-14T14:30:00.0000000Z",
    };
    const response = await native(event, { apiKey: API_KEY });
    expect(response.status).toBe(200);
    expect(ran.map((r) => r.type)).toEqual(["unknown"]);
    expect(ran[0]?.event).toEqual(event);
    const [stored] = await storage.listEvents({ type: "IncomingCallTransferred" });
    expect(stored).toMatchObject({
      status: "processed",
      callId: "call-x",
      orgId: "org-native",
      payload: event,
      key: "IncomingCallTransferred:guid-x",
    });
    expect(await storage.getCall("mightycall", "call-x")).toBeNull();
    // And a second delivery of it is a duplicate, like any event.
    expect((await native(event, { apiKey: API_KEY })).json).toMatchObject({ status: "duplicate" });
  });

  it("quarantines a Guid, call id or number too long to be real, known EventType or not, without echoing it", async () => {
    const { native, storage, ran } = setup();
    const long = "9".repeat(3000);
    // Each its own event (its own Guid): one Guid is one event, whatever its body says.
    const event = (n: number) => mightyCallSample("IncomingCall", { callId: `long-fields-${n}` });
    const unknown = (n: number) => ({
      EventType: "IncomingCallTransferred",
      Body: { Id: "call-u" },
      Guid: `guid-u-${n}`,
      Timestamp: "2026-03-14T14:30:00.0000000Z",
    });
    const bodies = [
      { ...event(1), Guid: long },
      { ...event(2), Body: { ...event(2).Body, Id: long } },
      { ...event(3), Body: { ...event(3).Body, From: long } },
      { ...event(4), Body: { ...event(4).Body, To: long } },
      { ...unknown(5), Guid: long },
      { ...unknown(6), Body: { Id: long } },
      { ...unknown(7), EventType: `Incoming${long}` },
    ];
    for (const body of bodies) {
      const response = await native(body, { apiKey: API_KEY });
      const stored = await expectQuarantined(storage, response, /MightyCall|limit/);
      expect(response.text).not.toContain(long);
      expect(stored?.key.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxKeyLength);
      expect(stored?.type.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxTypeLength);
      expect(JSON.stringify(stored?.issues)).not.toContain(long);
    }
    expect(ran).toHaveLength(0);
    expect((await storage.countEvents()).quarantined).toBe(bodies.length);
  });

  it("deduplicates by Guid", async () => {
    const { native, ran, storage } = setup();
    const event = mightyCallSample("IncomingCallConnected", { callId: "dup" });
    expect((await native(event, { apiKey: API_KEY })).json).toMatchObject({ status: "processed" });
    expect((await native(event, { apiKey: API_KEY })).json).toMatchObject({ status: "duplicate" });
    // Another Guid is another event, even for the same call and type.
    expect((await native({ ...event, Guid: "another-guid" }, { apiKey: API_KEY })).json).toMatchObject({ status: "processed" });
    expect(ran).toHaveLength(2);
    expect((await storage.listEvents({ callId: "dup" })).map((e) => e.key).sort()).toEqual([
      `IncomingCallConnected:${event.Guid}`,
      "IncomingCallConnected:another-guid",
    ]);
  });
});

describe("push events", () => {
  it("runs the handler once for a duplicate and answers it 2xx", async () => {
    const { push, ran } = setup();
    const event = mightyCallSample("call.completed");
    const first = await push(event);
    const second = await push(event);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ status: "duplicate", event_id: first.json.event_id });
    expect(ran).toHaveLength(1);
  });

  it("records a zero-duration missed call as stated", async () => {
    const { push, storage } = setup();
    const response = await push({
      ...mightyCallSample("call.completed", { callId: "missed-0" }),
      duration: 0,
      status: "missed",
      recording_url: undefined,
    });
    expect(response.status).toBe(200);
    expect((await storage.getCall("mightycall", "missed-0"))?.fields).toMatchObject({ status: "missed", durationMs: 0 });
  });

  it("links a recording to its call whichever arrives first", async () => {
    for (const recordingFirst of [true, false]) {
      const { push, storage } = setup();
      const call = { ...mightyCallSample("call.completed", { callId: "linked" }), recording_url: "https://example.com/old.mp3" };
      const recording = { ...mightyCallSample("recording.available", { callId: "linked" }), url: "https://example.com/final.mp3" };
      for (const event of recordingFirst ? [recording, call] : [call, recording]) expect((await push(event)).status).toBe(200);
      const record = await storage.getCall("mightycall", "linked");
      expect(record?.fields).toMatchObject({ recordingUrl: "https://example.com/final.mp3", status: "completed" });
      expect(record?.eventTypes).toEqual(["call.completed", "recording.available"]);
    }
  });

  it("keeps each SMS status as its own event and the most final one on the message", async () => {
    for (const order of [
      ["pending", "sent"],
      ["sent", "pending"],
    ]) {
      const { push, storage, ran } = setup();
      for (const status of order)
        expect((await push({ ...mightyCallSample("sms.sent"), status })).json).toMatchObject({ status: "processed" });
      expect(ran).toHaveLength(2);
      expect((await storage.getRecord("message", "mightycall", mightyCallSample("sms.sent").sms_id))?.fields.status).toBe("sent");
    }
  });

  it("quarantines an unknown push event, and keeps it out of the handlers", async () => {
    const { push, storage, ran } = setup();
    const response = await push({ ...mightyCallSample("call.completed"), event: "call.started" });
    const stored = await expectQuarantined(storage, response, /Unknown MightyCall push event/);
    expect(stored?.type).toBe("call.started");
    expect(ran).toHaveLength(0);
  });

  it("quarantines a metric of 1e999 (Infinity once parsed) or below zero", async () => {
    const { push, storage } = setup();
    const body = JSON.stringify(mightyCallSample("report.daily")).replace('"value":12', '"value":1e999');
    expect(body).toContain("1e999");
    await expectQuarantined(storage, await push(body), /metrics/);
    await expectQuarantined(
      storage,
      await push({ ...mightyCallSample("report.daily"), report_id: "r-neg", metrics: [{ metric_type: "calls_total", value: -3 }] }),
      /metrics/,
    );
  });

  it("quarantines ids and numbers too long for a database index, naming the field", async () => {
    const { push, storage, ran } = setup();
    const long = "x".repeat(3000);
    const cases: Array<[string, Record<string, unknown>]> = [
      ["call_id", { ...mightyCallSample("call.completed"), call_id: long }],
      ["phone_number", { ...mightyCallSample("call.completed"), phone_number: `+1${"5".repeat(100)}` }],
      ["sms_id", { ...mightyCallSample("sms.received"), sms_id: long }],
      ["recording_id", { ...mightyCallSample("recording.available"), recording_id: long }],
      ["report_id", { ...mightyCallSample("report.daily"), report_id: long }],
      ["org_id", { ...mightyCallSample("sms.sent"), org_id: long }],
    ];
    for (const [field, event] of cases) {
      const response = await push(event);
      const stored = await expectQuarantined(storage, response, new RegExp(field));
      expect(stored?.callId ?? "", field).not.toContain(long);
      expect(stored?.orgId ?? "", field).not.toContain(long);
    }
    expect(ran).toHaveLength(0);
  });

  it("quarantines a rolled-over date, naming the field", async () => {
    const { push, storage } = setup();
    const stored = await expectQuarantined(
      storage,
      await push({ ...mightyCallSample("call.completed"), timestamp: "2026-02-30T10:00:00Z" }),
      /timestamp/,
    );
    expect(stored?.callId).toBe(mightyCallSample("call.completed").call_id);
  });
});

describe("authentication", () => {
  it("refuses a missing, malformed or wrong Bearer token with 401", async () => {
    const { push, ran, storage } = setup();
    const event = mightyCallSample("sms.received");
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Basic ${SECRET}` },
      { authorization: "Bearer" },
      { authorization: `Bearer ${SECRET}x` },
      { authorization: `Bearer ${SECRET.slice(0, -1)}` },
    ]) {
      const response = await push(event, { secret: undefined, headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.json).toMatchObject({ error: "unauthorized" });
      expect(response.text).not.toContain(SECRET);
    }
    expect(ran).toHaveLength(0);
    expect(await storage.listEvents()).toEqual([]);
    expect((await push(event, { secret: undefined, headers: { authorization: `bearer  ${SECRET}` } })).status).toBe(200);
  });

  it("accepts any of several push secrets while rotating", async () => {
    const { push } = setup({ push: { secret: ["old-secret", SECRET], resolveIntegration: orgForIntegration } });
    expect((await push(mightyCallSample("sms.received"), { secret: "old-secret" })).status).toBe(200);
    expect((await push(mightyCallSample("sms.sent"), { secret: SECRET })).status).toBe(200);
    expect((await push(mightyCallSample("call.completed"), { secret: "other" })).status).toBe(401);
  });

  it("refuses a missing or wrong ApiKey with 401", async () => {
    const { native, ran } = setup();
    const event = mightyCallSample("IncomingCall");
    for (const apiKey of [undefined, "", "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8f000", `${API_KEY} `]) {
      const response = await native(event, apiKey === undefined ? {} : { apiKey });
      expect(response.status, String(apiKey)).toBe(401);
      expect(response.json).toMatchObject({ error: "unauthorized" });
    }
    expect(ran).toHaveLength(0);
  });

  it("does not let a push secret admit a native body, nor an ApiKey a push body", async () => {
    const { handler } = setup();
    const nativeWithBearer = createMightyCallNativeRequest(mightyCallSample("IncomingCall"), {
      url: NATIVE_URL,
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect((await handler.fetch(nativeWithBearer)).status).toBe(401);
    const pushWithKey = createMightyCallPushRequest({ ...mightyCallSample("call.completed"), ApiKey: API_KEY });
    expect((await handler.fetch(pushWithKey)).status).toBe(401);
  });

  it("refuses the format whose secret is not configured, and accepts the other", async () => {
    const pushOnly = setup({ native: undefined });
    expect((await pushOnly.native(mightyCallSample("IncomingCall"), { apiKey: API_KEY })).status).toBe(401);
    expect((await pushOnly.push(mightyCallSample("call.completed"))).status).toBe(200);

    const nativeOnly = setup({ push: undefined });
    const refused = await nativeOnly.push(mightyCallSample("call.completed"));
    expect(refused.status).toBe(401);
    expect(refused.json.details).toContain("push.secret");
    expect((await nativeOnly.native(mightyCallSample("IncomingCall"), { apiKey: API_KEY })).status).toBe(200);
  });

  it("never stores, logs or answers the ApiKey", async () => {
    const failingOnce = { failed: false };
    const { native, storage, logLines, handler } = setup({
      on: {
        IncomingCallCompleted: async (event) => {
          if (event.Body.Id === "c-fail" && !failingOnce.failed) {
            failingOnce.failed = true;
            throw new Error("downstream unavailable");
          }
        },
      },
    });
    const bodies: string[] = [];
    const keep = async (response: Promise<{ text: string; status: number }>) => {
      const r = await response;
      bodies.push(r.text);
      return r;
    };
    for (const f of nativeFixtures) expect((await keep(native(f.text))).status).toBeLessThan(300);
    // A wrong key, an invalid body with the right key, a failing handler and its retry.
    await keep(native(mightyCallSample("IncomingCall"), { apiKey: `${API_KEY}0` }));
    await keep(native({ ...mightyCallSample("IncomingCall"), Timestamp: "yesterday" }, { apiKey: API_KEY }));
    const completed = mightyCallSample("IncomingCallCompleted", { callId: "c-fail" });
    expect((await keep(native(completed, { apiKey: API_KEY }))).status).toBe(500);
    expect((await keep(native(completed, { apiKey: API_KEY }))).status).toBe(200);
    const stored = JSON.stringify(await storage.listEvents({ limit: 1000 }));
    expect(stored).toContain("IncomingCallCompleted");
    expect(stored).not.toContain(API_KEY);
    expect(stored).not.toContain("ApiKey");
    expect(JSON.stringify(await storage.getCall("mightycall", "c-fail"))).not.toContain(API_KEY);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join("\n")).not.toContain(API_KEY);
    expect(bodies.join("\n")).not.toContain(API_KEY);
    expect(handler.stats().failed).toBe(1);
  });
});

describe("the Echo URL check", () => {
  it("is answered first, with the same Echo header, whatever the method and body", async () => {
    const { handler, storage, ran } = setup();
    for (const request of [
      createMightyCallEchoRequest("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
      createMightyCallEchoRequest("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", { method: "POST", body: "{not json" }),
      createMightyCallEchoRequest("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", {
        method: "PUT",
        body: JSON.stringify(mightyCallSample("IncomingCall")),
      }),
    ]) {
      const response = await handler.fetch(request);
      expect(response.status, request.method).toBe(200);
      expect(response.headers.get("echo")).toBe("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    }
    const viaHandle = await handler.handle({ method: "POST", headers: { echo: "abc-123" }, body: "" });
    expect(viaHandle.status).toBe(200);
    expect(Object.entries(viaHandle.headers).find(([name]) => name.toLowerCase() === "echo")?.[1]).toBe("abc-123");
    expect(ran).toHaveLength(0);
    expect(await storage.listEvents()).toEqual([]);
  });

  it("refuses to reflect a value that is not printable ASCII", async () => {
    const { handler } = setup();
    const result = await handler.handle({ method: "GET", headers: { echo: "a\u0001b" }, body: undefined });
    expect(result.status).toBe(400);
    expect(Object.keys(result.headers).map((h) => h.toLowerCase())).not.toContain("echo");
  });

  it("treats an empty or blank Echo as absent: the event is processed, not answered as a URL check", async () => {
    const { handler, storage, ran } = setup();
    for (const [index, echo] of ["", "   "].entries()) {
      const event = mightyCallSample("IncomingCall", { callId: `blank-echo-${index}` });
      const result = await handler.handle({
        ...createMightyCallNativeWebhook(event, { apiKey: API_KEY, url: NATIVE_URL }),
        headers: { "content-type": "application/json", echo },
      });
      expect(result.status, JSON.stringify(echo)).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ status: "processed" });
      expect(Object.keys(result.headers).map((h) => h.toLowerCase())).not.toContain("echo");
      expect(await storage.getCall("mightycall", `blank-echo-${index}`)).not.toBeNull();
    }
    expect(ran.map((r) => r.type)).toEqual(["IncomingCall", "IncomingCall"]);
    // Without a body, a blank Echo is an ordinary request: a GET is refused, not echoed.
    const get = await handler.handle({ method: "GET", headers: { echo: " " }, body: undefined });
    expect(get.status).toBe(405);
    // A real value is still answered first, even on a request carrying an event.
    const echoed = await handler.fetch(
      createMightyCallEchoRequest("v-1", {
        method: "POST",
        body: JSON.stringify({ ...mightyCallSample("IncomingCall"), ApiKey: API_KEY }),
      }),
    );
    expect(echoed.headers.get("echo")).toBe("v-1");
    expect(ran).toHaveLength(2);
  });

  it("is answered when native events are configured per account", async () => {
    const { handler } = setup({ native: { accounts: [{ apiKey: API_KEY, orgId: "org-a" }] } });
    const response = await handler.fetch(createMightyCallEchoRequest("acc-1"));
    expect(response.status).toBe(200);
    expect(response.headers.get("echo")).toBe("acc-1");
  });

  it("is not answered when native events are not configured (the URL would refuse them)", async () => {
    const { handler } = setup({ native: undefined });
    const response = await handler.fetch(createMightyCallEchoRequest("abc"));
    expect(response.status).toBe(405);
    expect(response.headers.get("echo")).toBeNull();
  });
});

describe("configuration", () => {
  it("keeps the body limit near MightyCall's sizes unless told otherwise", async () => {
    expect(createMightyCallHandler({ push: { secret: "s" } }).maxBodyBytes).toBe(MIGHTYCALL_DEFAULT_MAX_BODY_BYTES);
    expect(createMightyCallHandler({ push: { secret: "s" }, maxBodyBytes: 1024 }).maxBodyBytes).toBe(1024);
    const { push } = setup();
    const large = { ...mightyCallSample("sms.received"), message: "x".repeat(MIGHTYCALL_DEFAULT_MAX_BODY_BYTES) };
    expect((await push(large)).status).toBe(413);
  });

  it("refuses to start without a secret for either format", () => {
    expect(() => createMightyCallHandler({})).toThrow(WebhookConfigError);
    expect(() => createMightyCallHandler({ push: { secret: "" } })).toThrow(WebhookConfigError);
    expect(() => createMightyCallHandler({ push: { secret: [] } })).toThrow(WebhookConfigError);
    expect(() => createMightyCallHandler({ push: { secret: " padded " } })).toThrow(/whitespace/);
    expect(() => createMightyCallHandler({ native: { apiKey: "", orgId: "o" } })).toThrow(WebhookConfigError);
    expect(() => createMightyCallHandler({ push: { secret: "s" }, native: { apiKey: "" as string, orgId: "o" } })).toThrow(
      WebhookConfigError,
    );
    expect(createMightyCallHandler({ push: { secret: "s" } }).provider).toBe("mightycall");
  });

  it("refuses native events that could never name an organisation", () => {
    expect(() => createMightyCallHandler({ native: { apiKey: "k" } })).toThrow(/orgId|orgFromUrl|resolveBusinessNumber/);
    expect(() => createMightyCallHandler({ native: { apiKey: "k", orgId: "o", orgFromUrl: () => "p" } })).toThrow(WebhookConfigError);
    expect(() => createMightyCallHandler({ native: { apiKey: "k", orgId: "" } })).toThrow(WebhookConfigError);
  });
});

describe("organisation context", () => {
  it("takes org_id, else resolves integration_id", async () => {
    const { push, storage } = setup();
    const both = mightyCallSample("sms.received", { orgId: "org-direct", integrationId: "int-1" });
    const integrationOnly = { ...mightyCallSample("sms.sent", { orgId: null, integrationId: "int-2" }) };
    expect((await push(both)).status).toBe(200);
    expect((await push(integrationOnly)).status).toBe(200);
    expect((await storage.getRecord("message", "mightycall", both.sms_id))?.orgId).toBe("org-direct");
    expect((await storage.getRecord("message", "mightycall", integrationOnly.sms_id))?.orgId).toBe(orgForIntegration("int-2"));
    expect((await storage.listEvents({ orgId: orgForIntegration("int-2") })).map((e) => e.type)).toEqual(["sms.sent"]);
  });

  it("checks (and maps) a named org_id through push.resolveOrg: an unknown one is quarantined, run for nobody", async () => {
    const known = new Map([["org-direct", "org-internal-1"]]);
    const handler = setup({ push: { secret: SECRET, resolveOrg: (orgId) => known.get(orgId) ?? null } });
    const ok = mightyCallSample("sms.received", { orgId: "org-direct" });
    expect((await handler.push(ok)).status).toBe(200);
    expect((await handler.storage.getRecord("message", "mightycall", ok.sms_id))?.orgId).toBe("org-internal-1");
    const stranger = await handler.push(mightyCallSample("call.completed", { orgId: "org-someone-else" }));
    const stored = await expectQuarantined(handler.storage, stranger, /org_id is not a known organisation/);
    expect(stranger.text).not.toContain("org-someone-else");
    // No tenant was resolved, so none is recorded, and no record was written.
    expect(stored?.orgId).toBeNull();
    expect(await handler.storage.getCall("mightycall", mightyCallSample("call.completed").call_id)).toBeNull();
    expect(handler.ran.map((run) => run.type)).toEqual(["sms.received"]);
  });

  it("quarantines a push event without an organisation (missing_context), saying why", async () => {
    const unknownIntegration = setup({ push: { secret: SECRET, resolveIntegration: async () => null } });
    const cases = [
      { handler: setup(), event: mightyCallSample("call.completed", { orgId: null }) },
      { handler: setup({ push: { secret: SECRET } }), event: mightyCallSample("call.completed", { orgId: null, integrationId: "int-1" }) },
      { handler: unknownIntegration, event: mightyCallSample("call.completed", { orgId: null, integrationId: "int-9" }) },
    ];
    for (const { handler, event } of cases) {
      await expectQuarantined(handler.storage, await handler.push(event), /org_id|integration_id/);
      expect(handler.ran).toHaveLength(0);
    }
  });

  it("reads a native event's organisation from its webhook URL", async () => {
    const { native, storage } = setup();
    expect(
      (
        await native(mightyCallSample("IncomingCall", { callId: "u1" }), {
          apiKey: API_KEY,
          url: "http://localhost/webhooks/mightycall/org-a",
        })
      ).status,
    ).toBe(200);
    expect((await storage.getCall("mightycall", "u1", "org-a"))?.orgId).toBe("org-a");
    const unresolved = await native(mightyCallSample("IncomingCall", { callId: "u2" }), {
      apiKey: API_KEY,
      url: "http://localhost/webhooks",
    });
    await expectQuarantined(storage, unresolved, /webhook URL/);
    expect(await storage.getCall("mightycall", "u2")).toBeNull();
  });

  it("resolves a native event's organisation from the business number, To inbound and From outbound", async () => {
    const asked: string[] = [];
    const owners: Record<string, string> = { "+12125550142": "org-business" };
    const { native, storage } = setup({
      native: {
        apiKey: API_KEY,
        resolveBusinessNumber: (number) => {
          asked.push(number);
          return owners[number];
        },
      },
    });
    const inbound = mightyCallSample("IncomingCall", { callId: "in" });
    const outbound = mightyCallSample("OutgoingCall", { callId: "out" });
    expect((await native(inbound, { apiKey: API_KEY })).status).toBe(200);
    expect((await native(outbound, { apiKey: API_KEY })).status).toBe(200);
    expect(asked).toEqual([inbound.Body.To, outbound.Body.From]);
    expect((await storage.getCall("mightycall", "in"))?.orgId).toBe("org-business");
    expect((await storage.getCall("mightycall", "out"))?.orgId).toBe("org-business");
    const stranger = { ...inbound, Guid: "g-stranger", Body: { ...inbound.Body, Id: "stranger", To: "+19995550100" } };
    await expectQuarantined(storage, await native(stranger, { apiKey: API_KEY }), /business number/);
  });

  it("quarantines a native event when orgFromUrl is the only way and handle() was given no URL", async () => {
    const { handler, storage } = setup();
    const result = await handler.handle({
      ...createMightyCallNativeWebhook(mightyCallSample("IncomingCall"), { apiKey: API_KEY }),
      url: undefined,
    });
    const body = JSON.parse(result.body);
    await expectQuarantined(storage, { status: result.status, json: body, text: result.body, headers: new Headers() }, /request URL/);
  });

  it("takes a fixed organisation for a single account", async () => {
    const { native, storage } = setup({ native: { apiKey: API_KEY, orgId: "org-only" } });
    expect(
      (await native(mightyCallSample("IncomingCall", { callId: "f1" }), { apiKey: API_KEY, url: "http://localhost/anything" })).status,
    ).toBe(200);
    expect((await storage.getCall("mightycall", "f1"))?.orgId).toBe("org-only");
  });
});

describe("several MightyCall accounts (native.accounts)", () => {
  const KEY_A = "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8aaaa";
  const KEY_A_OLD = "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8a000";
  const KEY_B = "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8bbbb";
  const accounts = [
    { apiKey: [KEY_A, KEY_A_OLD], orgId: "org-a" },
    { apiKey: KEY_B, orgId: "org-b" },
  ];
  const urlOf = (org: string) => `http://localhost/webhooks/mightycall/${org}`;

  it("records each event under the organisation of the account whose key it carries, whatever URL or number it names", async () => {
    const { native, storage, ran } = setup({ native: { accounts } });
    // Tenant A, knowing only its own key, posts to B's URL and names a number of B's.
    const intrusion = mightyCallSample("IncomingCall", { callId: "from-a" });
    const aToB = await native({ ...intrusion, Body: { ...intrusion.Body, To: "+12125550199" } }, { apiKey: KEY_A, url: urlOf("org-b") });
    expect(aToB.status).toBe(200);
    expect((await storage.getCall("mightycall", "from-a"))?.orgId).toBe("org-a");
    expect(await storage.listEvents({ orgId: "org-b" })).toEqual([]);
    // A rotated key of A's is still A; B's key is B, whatever URL it arrives on.
    expect(
      (await native(mightyCallSample("IncomingCall", { callId: "from-a-old" }), { apiKey: KEY_A_OLD, url: urlOf("org-b") })).status,
    ).toBe(200);
    expect((await native(mightyCallSample("IncomingCall", { callId: "from-b" }), { apiKey: KEY_B, url: urlOf("org-a") })).status).toBe(200);
    expect((await storage.getCall("mightycall", "from-a-old"))?.orgId).toBe("org-a");
    expect((await storage.getCall("mightycall", "from-b"))?.orgId).toBe("org-b");
    expect(ran.map((r) => r.context.orgId)).toEqual(["org-a", "org-a", "org-b"]);
    expect((await storage.listEvents({ orgId: "org-b" })).map((e) => e.callId)).toEqual(["from-b"]);
    // A key of no account is refused, and neither key is ever stored.
    const stranger = await native(mightyCallSample("IncomingCall", { callId: "stranger" }), { apiKey: `${KEY_B}0`, url: urlOf("org-b") });
    expect(stranger.status).toBe(401);
    expect(await storage.getCall("mightycall", "stranger")).toBeNull();
    const stored = JSON.stringify(await storage.listEvents({ limit: 100 }));
    for (const key of [KEY_A, KEY_A_OLD, KEY_B]) expect(stored).not.toContain(key);
  });

  it("processes two tenants' events with the same Guid once each, and neither can read or write the other's call", async () => {
    const { native, storage, ran } = setup({ native: { accounts } });
    const shared = mightyCallSample("IncomingCall", { callId: "same-call", guid: "same-guid" });
    // Globex (B) sends first, with a body it chose: its number, its caller.
    const fromB = { ...shared, Body: { ...shared.Body, From: "+19990000000", To: "+19990000001" } };
    expect((await native(fromB, { apiKey: KEY_B })).json).toMatchObject({ status: "processed" });
    expect((await native(shared, { apiKey: KEY_A })).json).toMatchObject({ status: "processed" });
    // Each tenant's own retry is still its duplicate.
    expect((await native(shared, { apiKey: KEY_A })).json).toMatchObject({ status: "duplicate" });
    expect((await native(fromB, { apiKey: KEY_B })).json).toMatchObject({ status: "duplicate" });
    expect(ran.map((r) => [r.context.orgId, r.context.key])).toEqual([
      ["org-b", "IncomingCall:same-guid"],
      ["org-a", "IncomingCall:same-guid"],
    ]);
    const a = await storage.getCall("mightycall", "same-call", "org-a");
    const b = await storage.getCall("mightycall", "same-call", "org-b");
    expect(a).toMatchObject({ orgId: "org-a", fields: { from: shared.Body.From, to: shared.Body.To } });
    expect(b).toMatchObject({ orgId: "org-b", fields: { from: "+19990000000", to: "+19990000001" } });
    // A later event of B's for that call id moves only B's record on.
    await native(mightyCallSample("IncomingCallCompleted", { callId: "same-call" }), { apiKey: KEY_B });
    expect((await storage.getCall("mightycall", "same-call", "org-b"))?.eventTypes).toEqual(["IncomingCall", "IncomingCallCompleted"]);
    expect((await storage.getCall("mightycall", "same-call", "org-a"))?.eventTypes).toEqual(["IncomingCall"]);
  });

  it("keeps concurrent deliveries of different accounts apart", async () => {
    const { native, storage } = setup({ native: { accounts } });
    const deliveries = Array.from({ length: 20 }, (_, i) => ({
      callId: `conc-${i}`,
      key: i % 2 === 0 ? KEY_A : KEY_B,
      org: i % 2 === 0 ? "org-a" : "org-b",
    }));
    const responses = await Promise.all(
      deliveries.map((d) => native(mightyCallSample("IncomingCall", { callId: d.callId }), { apiKey: d.key, url: urlOf("org-x") })),
    );
    expect(responses.map((r) => r.status)).toEqual(deliveries.map(() => 200));
    for (const d of deliveries) expect((await storage.getCall("mightycall", d.callId))?.orgId, d.callId).toBe(d.org);
  });

  it("works through handle() without a URL, and alongside push", async () => {
    const { handler, push, storage } = setup({ native: { accounts } });
    const result = await handler.handle({
      ...createMightyCallNativeWebhook(mightyCallSample("IncomingCall", { callId: "no-url" }), { apiKey: KEY_B }),
      url: undefined,
    });
    expect(result.status).toBe(200);
    expect((await storage.getCall("mightycall", "no-url"))?.orgId).toBe("org-b");
    expect((await push(mightyCallSample("call.completed", { callId: "push-too" }))).status).toBe(200);
  });

  it("refuses, at construction, accounts mixed with the single-account options, and ambiguous or empty accounts", () => {
    const make = (native: unknown) => () => createMightyCallHandler({ native: native as MightyCallHandlerOptions["native"] });
    expect(make({ accounts })).not.toThrow();
    for (const extra of [{ apiKey: KEY_A }, { orgId: "org-a" }, { orgFromUrl: () => "org-a" }, { resolveBusinessNumber: () => "org-a" }]) {
      expect(make({ accounts, ...extra }), Object.keys(extra)[0]).toThrow(WebhookConfigError);
    }
    expect(make({ accounts: [] })).toThrow(WebhookConfigError);
    expect(make({ accounts: [{ apiKey: "", orgId: "org-a" }] })).toThrow(WebhookConfigError);
    expect(make({ accounts: [{ apiKey: [], orgId: "org-a" }] })).toThrow(WebhookConfigError);
    expect(make({ accounts: [{ apiKey: KEY_A, orgId: "" }] })).toThrow(WebhookConfigError);
    expect(make({ accounts: [{ apiKey: KEY_A }] })).toThrow(WebhookConfigError);
    expect(make({ accounts: [{ apiKey: ` ${KEY_A}`, orgId: "org-a" }] })).toThrow(/whitespace/);
    // One key for two accounts could not say which organisation an event is for.
    const shared = make({ accounts: [accounts[0], { apiKey: [KEY_B, KEY_A_OLD], orgId: "org-b" }] });
    expect(shared).toThrow(WebhookConfigError);
    expect(shared).toThrow(/accounts\[1\]/);
    try {
      shared();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(KEY_A_OLD);
    }
    // Two accounts may belong to one organisation.
    expect(
      make({
        accounts: [
          { apiKey: KEY_A, orgId: "org-a" },
          { apiKey: KEY_B, orgId: "org-a" },
        ],
      }),
    ).not.toThrow();
  });
});

describe("failures", () => {
  /** A storage whose first claim fails, as a database that blips would. */
  function flakyStorage(): WebhookStorage & { claims: number } {
    const inner = createMemoryStorage();
    const flaky = Object.create(inner) as WebhookStorage & { claims: number };
    flaky.claims = 0;
    flaky.claim = (request) => (++flaky.claims === 1 ? Promise.reject(new Error("connection reset")) : inner.claim(request));
    return flaky;
  }

  it("answers 500 when the storage fails, so the sender retries, and processes the retry once", async () => {
    const storage = flakyStorage();
    const { push, ran } = setup({ storage });
    const event = mightyCallSample("call.completed", { callId: "retry-me" });
    const first = await push(event);
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({ error: "storage_error" });
    expect(ran).toHaveLength(0);
    const retry = await push(event);
    expect(retry.status).toBe(200);
    expect(ran).toHaveLength(1);
    expect((await storage.getCall("mightycall", "retry-me"))?.fields.status).toBe("completed");
    expect((await push(event)).json).toMatchObject({ status: "duplicate" });
    expect(ran).toHaveLength(1);
  });

  it("answers 500 when a resolver fails, so the sender retries", async () => {
    const { push } = setup({
      push: {
        secret: SECRET,
        resolveIntegration: () => {
          throw new Error("lookup failed");
        },
      },
    });
    expect((await push(mightyCallSample("call.completed", { orgId: null, integrationId: "i" }))).status).toBe(500);
  });

  it("replays a stored native event (without its key) to the handler in queue mode", async () => {
    const storage = createMemoryStorage();
    const { native, ran, handler } = setup({ storage, mode: "queue" });
    const event = mightyCallSample("IncomingCallConnected", { callId: "queued" });
    expect((await native(event, { apiKey: API_KEY })).status).toBe(202);
    expect(ran).toHaveLength(0);
    const due = await storage.claimDue({ limit: 10, leaseMs: 30_000, now: Date.now(), providers: ["mightycall"] });
    expect(due).toHaveLength(1);
    const [claimed] = due;
    expect(await handler.runStored(claimed!.event, claimed!.leaseToken)).toMatchObject({ outcome: "processed" });
    expect(ran.map((r) => [r.type, r.context.replay, r.context.orgId])).toEqual([["IncomingCallConnected", true, "org-native"]]);
    expect(ran[0]?.event).toEqual(event);
  });
});

describe("types", () => {
  it("types the on map by event name, for both formats", () => {
    createMightyCallHandler({
      push: { secret: "s" },
      on: {
        "call.completed": (event) => {
          expectTypeOf(event.duration).toEqualTypeOf<number>();
          expectTypeOf(event.event).toEqualTypeOf<"call.completed">();
        },
        "report.hourly": (event) => expectTypeOf(event.metrics[0]!.value).toEqualTypeOf<number>(),
        CallbackCallCompleted: (event) => {
          expectTypeOf(event.EventType).toEqualTypeOf<"CallbackCallCompleted">();
          expectTypeOf(event.Body.Id).toEqualTypeOf<string>();
        },
      },
      onUnknown: (event) => expectTypeOf(event.EventType).toEqualTypeOf<string>(),
    });
  });
});
