import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type LocalEdgeFunction as LocalFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import {
  createMightyCallEchoRequest,
  createMightyCallNativeRequest,
  createMightyCallPushRequest,
  mightyCallSample,
} from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const projectDir = fileURLToPath(new URL("..", import.meta.url));
const callhooksCli = createRequire(import.meta.url).resolve("@callhooks/cli/package.json").replace(/package\.json$/, "bin/callhooks.js");

/*
 * End to end, for real: Deno serves supabase/functions/mightycall-webhook against PostgreSQL +
 * PostgREST (behind a Supabase-like gateway); push and native MightyCall events go over HTTP, and
 * every assertion reads the rows the function wrote, through supabase-js with the service role.
 */

const secret = `whsec_${randomUUID().replaceAll("-", "")}`;
const apiKey = randomUUID();
const running = await startEdgeFunctionOrSkip({ projectDir, name: "mightycall-webhook", secrets: { MIGHTYCALL_WEBHOOK_SECRET: secret, MIGHTYCALL_API_KEY: apiKey } });
const BUSINESS = "+12125550142"; // the business number of mightyCallSample's events

describe.skipIf(!running)("mightycall-webhook Edge Function (Deno, PostgreSQL, PostgREST, supabase-js)", () => {
  const fn = running as LocalFunction;
  const db = fn?.db;
  afterAll(() => fn?.stop());

  const users = { ana: randomUUID(), dan: randomUUID() };
  const seeded = {} as { acme: string; other: string; line: string };

  beforeAll(async () => {
    await fn.stack.sql(`insert into auth.users (id) values ('${users.ana}'), ('${users.dan}')`);
    const { data: orgs } = await db.from("organizations").insert([{ name: "Acme Plumbing" }, { name: "Other Co" }]).select("id").throwOnError();
    const [acme, other] = (orgs ?? []).map((org) => org.id as string) as [string, string];
    await db
      .from("organization_members")
      .insert([
        { organization_id: acme, user_id: users.ana },
        { organization_id: other, user_id: users.dan },
      ])
      .throwOnError();
    const { data: line } = await db
      .from("phone_numbers")
      .insert({ organization_id: acme, number: BUSINESS, label: "Main line" })
      .select("id")
      .single()
      .throwOnError();
    await db
      .from("mightycall_integrations")
      .insert([
        { id: "int_acme", organization_id: acme, name: "Acme's MightyCall", active: true },
        { id: "int_retired", organization_id: acme, name: "An old account", active: false },
      ])
      .throwOnError();
    Object.assign(seeded, { acme, other, line: line?.id });
  });

  const answer = async (request: Request) => {
    const response = await fetch(request);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  const push = (event: unknown, key = secret) => answer(createMightyCallPushRequest(event, { secret: key, url: fn.url }));
  const native = (event: unknown, query = "", key = apiKey) => answer(createMightyCallNativeRequest(event, { apiKey: key, url: `${fn.url}/${query}` }));
  const rows = async (table: string, column: string, value: string) =>
    (await db.from(table).select("*").eq(column, value).throwOnError()).data ?? [];
  const callhooks = (args: string[]) =>
    promisify(execFile)(process.execPath, [callhooksCli, "send", ...args, ...(args.includes("--url") ? [] : ["--url", fn.url])], {
      env: { ...process.env, MIGHTYCALL_WEBHOOK_SECRET: secret, MIGHTYCALL_API_KEY: apiKey, NO_COLOR: "1" },
    });

  describe("authentication and the error model", () => {
    it("answers MightyCall's Echo URL check and the CORS preflight", async () => {
      const echo = await fetch(createMightyCallEchoRequest("check-7f3a", { url: fn.url }));
      expect([echo.status, echo.headers.get("echo")]).toEqual([200, "check-7f3a"]);
      const preflight = await fetch(fn.url, { method: "OPTIONS" });
      expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([204, "*"]);
    });

    it("refuses a wrong Bearer secret (sent with the callhooks CLI) and a wrong ApiKey with 401 { error, details }, writing nothing", async () => {
      const { stdout } = await callhooks(["call.completed", "--call-id", "call_forged_push", "--bad-signature", "--expect", "401"]);
      expect(stdout).toContain("401");
      const wrongKey = await native(mightyCallSample("IncomingCallCompleted", { callId: "call-forged-native" }), "?integration=int_acme", randomUUID());
      expect(wrongKey).toMatchObject({ status: 401, body: { error: "unauthorized", details: expect.stringContaining("ApiKey") } });
      expect(await rows("callhooks_events", "call_id", "call_forged_push")).toEqual([]);
      expect(await rows("callhooks_events", "call_id", "call-forged-native")).toEqual([]);
      expect(fn.output() + stdout + JSON.stringify(wrongKey.body)).not.toContain(secret);
      expect(fn.output()).not.toContain(apiKey);
    });

    it("keeps an authenticated invalid event, or one whose organisation it cannot find, as quarantined (202): never lost, never run", async () => {
      const invalid = await push({ ...mightyCallSample("call.completed", { orgId: seeded.acme }), duration: -3 });
      expect(invalid).toMatchObject({ status: 202, body: { status: "quarantined", event_id: expect.any(String) } });
      expect(await rows("callhooks_events", "id", invalid.body.event_id)).toEqual([expect.objectContaining({ status: "quarantined", last_error: expect.stringContaining("duration") })]);

      const unknownIntegration = await push(mightyCallSample("sms.received", { orgId: null, integrationId: "int_nobody" }));
      const retired = await push(mightyCallSample("sms.sent", { orgId: null, integrationId: "int_retired" }));
      const nativeStranger = await native({ ...mightyCallSample("IncomingCall", { callId: "call-stranger" }), Body: { Id: "call-stranger", From: "+14155550187", To: "+19995550000" } });
      for (const refused of [unknownIntegration, retired, nativeStranger]) {
        expect(refused).toMatchObject({ status: 202, body: { status: "quarantined" } });
        expect(await rows("callhooks_events", "id", refused.body.event_id)).toEqual([expect.objectContaining({ status: "quarantined", org_id: null })]);
      }
      expect(await rows("sms_messages", "organization_id", seeded.acme)).toEqual([]);
    });

    it("quarantines an org_id that is not one of ours: kept without a tenant, written to no organisation's tables", async () => {
      for (const orgId of [randomUUID(), "not-a-uuid"]) {
        const refused = await push(mightyCallSample("call.completed", { callId: "call_unknown_org", orgId }));
        expect(refused).toMatchObject({ status: 202, body: { status: "quarantined" } });
      }
      expect(await rows("call_logs", "id", "call_unknown_org")).toEqual([]);
      expect(await rows("callhooks_events", "call_id", "call_unknown_org")).toEqual([expect.objectContaining({ status: "quarantined", org_id: null, last_error: expect.stringContaining("org_id") })]);
    });
  });

  describe("push events", () => {
    it("logs a completed call once, on the organisation's number", async () => {
      const event = mightyCallSample("call.completed", { callId: "call_push_1", orgId: seeded.acme });
      expect(await push(event)).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await push(event)).toMatchObject({ status: 200, body: { status: "duplicate" } });
      expect(await rows("call_logs", "id", "call_push_1")).toEqual([
        expect.objectContaining({
          organization_id: seeded.acme,
          phone_number_id: seeded.line,
          business_number: BUSINESS,
          direction: "inbound",
          from_number: "+14155550187",
          caller_name: "Maria Gonzalez",
          status: "completed",
          duration_seconds: 247,
          recording_url: "https://recordings.example.com/call_push_1.mp3",
          source: "push",
        }),
      ]);
    });

    it("logs a missed call with a duration of 0", async () => {
      const event = { ...mightyCallSample("call.completed", { callId: "call_push_missed", orgId: seeded.acme }), status: "missed", duration: 0 };
      expect((await push(event)).status).toBe(200);
      expect(await rows("call_logs", "id", "call_push_missed")).toMatchObject([{ status: "missed", duration_seconds: 0 }]);
    });

    it("stores an SMS for the organisation behind an integration_id", async () => {
      const event = mightyCallSample("sms.received", { orgId: null, integrationId: "int_acme" });
      expect((await push(event)).status).toBe(200);
      expect(await rows("sms_messages", "id", event.sms_id)).toEqual([
        expect.objectContaining({
          organization_id: seeded.acme,
          phone_number_id: seeded.line,
          direction: "inbound",
          from_number: "+14155550187",
          body: "Can I move my appointment to 3pm?",
          status: "received",
        }),
      ]);
    });

    it("links a recording to its call, whichever arrives first", async () => {
      const after = mightyCallSample("recording.available", { callId: "call_push_1", orgId: seeded.acme });
      expect((await push({ ...after, recording_id: "rec_after", url: "https://recordings.example.com/final/rec_after.mp3" })).status).toBe(200);
      expect(await rows("call_recordings", "id", "rec_after")).toMatchObject([
        { call_id: "call_push_1", organization_id: seeded.acme, duration_seconds: 247, format: "mp3", size_bytes: 3_952_640 },
      ]);
      expect(await rows("call_logs", "id", "call_push_1")).toMatchObject([{ recording_url: "https://recordings.example.com/final/rec_after.mp3" }]);

      const early = { ...mightyCallSample("recording.available", { callId: "call_push_2", orgId: seeded.acme }), recording_id: "rec_early" };
      expect((await push(early)).status).toBe(200);
      expect(await rows("call_logs", "id", "call_push_2")).toEqual([]); // nothing to link to yet
      expect((await push(mightyCallSample("call.completed", { callId: "call_push_2", orgId: seeded.acme }))).status).toBe(200);
      expect(await rows("call_logs", "id", "call_push_2")).toMatchObject([{ recording_url: early.url, status: "completed" }]);
      expect(await rows("call_recordings", "call_id", "call_push_2")).toMatchObject([{ id: "rec_early" }]);
    });

    it("turns daily and hourly reports into metrics, once", async () => {
      const daily = mightyCallSample("report.daily", { orgId: seeded.acme });
      const hourly = mightyCallSample("report.hourly", { orgId: seeded.acme });
      for (const event of [daily, hourly, daily]) expect((await push(event)).status).toBe(200);
      const metrics = (await db.from("call_metrics").select("period, metric_date, metric_hour, metric_type, value, unit, phone_number_id").eq("organization_id", seeded.acme).order("period").order("metric_type").throwOnError()).data;
      const common = { metric_date: "2026-03-14", phone_number_id: seeded.line };
      expect(metrics).toEqual([
        { ...common, period: "daily", metric_hour: null, metric_type: "avg_call_duration", value: 187.5, unit: "seconds" },
        { ...common, period: "daily", metric_hour: null, metric_type: "calls_missed", value: 0, unit: "count" },
        { ...common, period: "daily", metric_hour: null, metric_type: "calls_total", value: 12, unit: "count" },
        { ...common, period: "hourly", metric_hour: 14, metric_type: "avg_call_duration", value: 187.5, unit: "seconds" },
        { ...common, period: "hourly", metric_hour: 14, metric_type: "calls_missed", value: 0, unit: "count" },
        { ...common, period: "hourly", metric_hour: 14, metric_type: "calls_total", value: 12, unit: "count" },
      ]);
    });

    it("keeps the newest report of a period, even when an older one is delivered after it", async () => {
      const daily = mightyCallSample("report.daily", { orgId: seeded.acme, startedAt: Date.UTC(2026, 2, 15, 9) });
      const report = (id: string, timestamp: string, total: number) => ({
        ...daily,
        report_id: id,
        timestamp,
        metrics: [{ metric_type: "calls_total", value: total, unit: "count" }],
      });
      expect((await push(report("rep_corrected", "2026-03-16T06:00:00Z", 13))).status).toBe(200);
      expect((await push(report("rep_first", "2026-03-15T23:59:59Z", 12))).status).toBe(200);
      const { data } = await db.from("call_metrics").select("value, report_id").eq("metric_date", "2026-03-15").eq("metric_type", "calls_total").throwOnError();
      expect(data).toEqual([{ value: 13, report_id: "rep_corrected" }]);
    });
  });

  describe("native events", () => {
    it("makes one completed call of a call's events, in any order (sent with the callhooks CLI)", async () => {
      const url = `${fn.url}/?integration=int_acme`;
      await callhooks(["IncomingCallCompleted", "--call-id", "call-native-1", "--url", url, "--quiet"]);
      // Completed with no Connected yet: callhooks' record says missed, for now.
      expect(await rows("call_logs", "id", "call-native-1")).toMatchObject([{ status: "missed", duration_seconds: 0 }]);

      const rest = ["IncomingCallConnected", "IncomingCall", "IncomingCallRinging", "IncomingCallStopRinging", "IncomingCallConnected"];
      const { stdout } = await callhooks([...rest, "--call-id", "call-native-1", "--url", url, "--json"]);
      expect(stdout.trim().split("\n").map((line) => JSON.parse(JSON.parse(line).body).status)).toEqual(["processed", "processed", "processed", "processed", "duplicate"]);
      expect(await rows("call_logs", "id", "call-native-1")).toEqual([
        expect.objectContaining({
          organization_id: seeded.acme,
          phone_number_id: seeded.line,
          direction: "inbound",
          status: "completed",
          extension: "101",
          duration_seconds: 247, // Connected → Completed
          started_at: "2026-03-14T14:28:00+00:00",
          source: "native",
        }),
      ]);
    });

    it("makes the same row of an outbound call's events delivered all at once", async () => {
      const types = ["OutgoingCall", "OutgoingCallConnected", "OutgoingCallCompleted"] as const;
      const answers = await Promise.all(types.map((type) => native(mightyCallSample(type, { callId: "call-native-burst" }), "?integration=int_acme")));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(await rows("call_logs", "id", "call-native-burst")).toMatchObject([
        { direction: "outbound", from_number: BUSINESS, status: "completed", duration_seconds: 247, source: "native" },
      ]);
    });

    it("logs a call nobody answered as missed, attributed by its business number", async () => {
      for (const type of ["IncomingCall", "IncomingCallCompleted"] as const) {
        expect(await native(mightyCallSample(type, { callId: "call-native-missed" }))).toMatchObject({ status: 200, body: { status: "processed" } });
      }
      expect(await rows("call_logs", "id", "call-native-missed")).toMatchObject([
        { organization_id: seeded.acme, phone_number_id: seeded.line, status: "missed", duration_seconds: 0, connected_at: null },
      ]);
    });
  });

  describe("row-level security", () => {
    async function seenBy(userId: string) {
      const claims = JSON.stringify({ sub: userId, role: "authenticated" });
      const output = await fn.stack.sql(
        `begin; set local role authenticated; set local request.jwt.claims = '${claims}';
         select json_build_object(
           'calls', (select count(*) from public.call_logs),
           'messages', (select count(*) from public.sms_messages),
           'recordings', (select count(*) from public.call_recordings),
           'metrics', (select count(*) from public.call_metrics)); commit;`,
      );
      return JSON.parse(output.trim().split("\n").at(-1) as string);
    }

    it("lets members read their organisation's rows only, and the anon key nothing", async () => {
      const count = async (table: string) => (await db.from(table).select("*", { count: "exact", head: true }).eq("organization_id", seeded.acme)).count;
      const acme = { calls: await count("call_logs"), messages: await count("sms_messages"), recordings: await count("call_recordings"), metrics: await count("call_metrics") };
      expect(Object.values(acme).every((n) => (n ?? 0) > 0)).toBe(true);
      expect(await seenBy(users.ana)).toEqual(acme);
      expect(await seenBy(users.dan)).toEqual({ calls: 0, messages: 0, recordings: 0, metrics: 0 });
      await expect(fn.stack.sql("begin; set local role anon; select count(*) from public.call_logs; commit;")).rejects.toThrow(/permission denied/);
    });
  });
});
