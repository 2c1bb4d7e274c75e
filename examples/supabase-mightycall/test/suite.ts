import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { LocalEdgeFunction } from "@callhooks/storage-supabase/testing";
import {
  createMightyCallEchoRequest,
  createMightyCallNativeRequest,
  createMightyCallPushRequest,
  mightyCallSample,
} from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedCommands } from "./documented-commands.js";

export const projectDir = fileURLToPath(new URL("..", import.meta.url));
/** The function that takes everything on one URL; the four others are the hand-written functions' URLs. */
export const FUNCTION = "mightycall-webhook";
/** The console's password (the DASHBOARD_PASSWORD secret) for this run. */
export const DASHBOARD_PASSWORD = `console_${randomUUID()}`;
const callhooksCli = createRequire(import.meta.url)
  .resolve("@callhooks/cli/package.json")
  .replace(/package\.json$/, "bin/callhooks.js");
const BUSINESS = "+12125550142"; // the business number of mightyCallSample's events
const DOCUMENTED = "+12125551234"; // the business number of the old functions' documented examples

export interface Credentials {
  secret: string;
  apiKey: string;
}

export interface SuiteOptions {
  /** The project already ran the hand-written functions: its tables keep their own grants and policies. */
  existing: boolean;
}

/**
 * An authenticated event that fails validation, or names no organisation of ours: kept as quarantined
 * (202, so MightyCall stops retrying what a retry cannot fix), never processed, written to no
 * organisation's tables, with its reason.
 */
async function expectQuarantined(
  answer: { status: number; body: unknown },
  rows: (table: string, column: string, value: string) => Promise<unknown[]>,
  reason: string,
) {
  expect(answer).toMatchObject({ status: 202, body: { status: "quarantined", event_id: expect.any(String) } });
  const id = (answer.body as { event_id: string }).event_id;
  expect(await rows("callhooks_events", "id", id)).toEqual([
    expect.objectContaining({ status: "quarantined", last_error: expect.stringContaining(reason) }),
  ]);
}

/*
 * End to end, for real: Deno serves supabase/functions/mightycall-webhook (and, for the old URLs,
 * the four others) against PostgreSQL + PostgREST behind a Supabase-like gateway; push and native
 * MightyCall events go over HTTP, and every assertion reads the rows the functions wrote, through
 * supabase-js with the service role. The same suite runs on a new project and on one that already
 * has the hand-written functions' tables.
 */
export interface Seeded {
  acme: string;
  other: string;
  /** The ids of Acme's two numbers: the samples' and the documented examples'. */
  line: string;
  documentedLine: string;
}

export function mightyCallSuite(fn: LocalEdgeFunction, { secret, apiKey }: Credentials, options: SuiteOptions) {
  const db = fn.db;
  const users = { ana: randomUUID(), dan: randomUUID() };
  const integrations = { acme: randomUUID(), retired: randomUUID() };
  const seeded = {} as Seeded;

  beforeAll(async () => {
    await fn.stack.sql(`insert into auth.users (id) values ('${users.ana}'), ('${users.dan}')`);
    const { data: orgs } = await db
      .from("organizations")
      .insert([{ name: "Acme Plumbing" }, { name: "Other Co" }])
      .select("id")
      .throwOnError();
    const [acme, other] = (orgs ?? []).map((org) => org.id as string) as [string, string];
    await db
      .from("org_members")
      .insert([
        { org_id: acme, user_id: users.ana, role: "agent" },
        { org_id: other, user_id: users.dan, role: "agent" },
      ])
      .throwOnError();
    const { data: lines } = await db
      .from("phone_numbers")
      .insert([
        { org_id: acme, number: BUSINESS, label: "Main line" },
        { org_id: acme, number: DOCUMENTED, label: "Second line" },
      ])
      .select("id, number")
      .throwOnError();
    const lineOf = (number: string) => lines?.find((line) => line.number === number)?.id as string;
    await db
      .from("org_integrations")
      .insert([
        { id: integrations.acme, org_id: acme, provider: "mightycall", name: "Acme's MightyCall", active: true },
        { id: integrations.retired, org_id: acme, provider: "mightycall-old", name: "An old account", active: false },
      ])
      .throwOnError();
    Object.assign(seeded, { acme, other, line: lineOf(BUSINESS), documentedLine: lineOf(DOCUMENTED) });
  });
  afterAll(() => fn.stop());

  const answer = async (request: Request) => {
    const response = await fetch(request);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  const push = (event: unknown, key = secret) => answer(createMightyCallPushRequest(event, { secret: key, url: fn.url }));
  const native = (event: unknown, query = "", key = apiKey) =>
    answer(createMightyCallNativeRequest(event, { apiKey: key, url: `${fn.url}/${query}` }));
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
      const wrongKey = await native(
        mightyCallSample("IncomingCallCompleted", { callId: "call-forged-native" }),
        `?integration=${integrations.acme}`,
        randomUUID(),
      );
      expect(wrongKey).toMatchObject({ status: 401, body: { error: "unauthorized", details: expect.stringContaining("ApiKey") } });
      expect(await rows("callhooks_events", "call_id", "call_forged_push")).toEqual([]);
      expect(await rows("callhooks_events", "call_id", "call-forged-native")).toEqual([]);
      expect(fn.output() + stdout + JSON.stringify(wrongKey.body)).not.toContain(secret);
      expect(fn.output()).not.toContain(apiKey);
    });

    it("keeps an invalid event, or one whose organisation it cannot find, quarantined: never processed, never lost", async () => {
      await expectQuarantined(
        await push({ ...mightyCallSample("call.completed", { callId: "call_invalid", orgId: seeded.acme }), duration: -3 }),
        rows,
        "duration",
      );
      expect(await rows("calls", "external_call_id", "call_invalid")).toEqual([]);

      const unknownIntegration = await push(mightyCallSample("sms.received", { orgId: null, integrationId: randomUUID() }));
      const notAnId = await push(mightyCallSample("sms.received", { orgId: null, integrationId: "int_nobody" }));
      const retired = await push(mightyCallSample("sms.sent", { orgId: null, integrationId: integrations.retired }));
      const nativeStranger = await native({
        ...mightyCallSample("IncomingCall", { callId: "call-stranger" }),
        Body: { Id: "call-stranger", From: "+14155550187", To: "+19995550000" },
      });
      for (const refused of [unknownIntegration, notAnId, retired]) await expectQuarantined(refused, rows, "integration_id");
      await expectQuarantined(nativeStranger, rows, "organisation");
      expect(await rows("mightycall_sms_messages", "org_id", seeded.acme)).toEqual([]);
    });

    it("quarantines an org_id that is not one of ours: kept without a tenant, written to no organisation's tables", async () => {
      for (const orgId of [randomUUID(), "not-a-uuid"]) {
        await expectQuarantined(await push(mightyCallSample("call.completed", { callId: "call_unknown_org", orgId })), rows, "org_id");
      }
      expect(await rows("calls", "external_call_id", "call_unknown_org")).toEqual([]);
      expect(await rows("callhooks_events", "call_id", "call_unknown_org")).toEqual([
        expect.objectContaining({ status: "quarantined", org_id: null }),
      ]);
    });

    it("answers 500 when the database fails, so the sender delivers again, and keeps the event until a delivery succeeds", async () => {
      const event = mightyCallSample("call.completed", { callId: "call_db_down", orgId: seeded.acme });
      await fn.stack.sql(`create function public.test_refuse_call() returns trigger language plpgsql as $$
        begin raise exception 'simulated outage'; end $$;
        create trigger test_refuse_call before insert or update on public.calls for each row
        when (new.external_call_id = 'call_db_down') execute function public.test_refuse_call();`);
      try {
        const failed = await push(event);
        expect(failed).toMatchObject({ status: 500, body: { error: "handler_failed" } });
        expect(JSON.stringify(failed.body)).not.toContain("simulated outage");
        expect(await rows("callhooks_events", "call_id", "call_db_down")).toMatchObject([{ status: "failed", attempts: 1 }]);
      } finally {
        await fn.stack.sql("drop trigger test_refuse_call on public.calls; drop function public.test_refuse_call();");
      }
      expect(await push(event)).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await rows("callhooks_events", "call_id", "call_db_down")).toMatchObject([{ status: "processed", attempts: 2 }]);
      expect(await rows("calls", "external_call_id", "call_db_down")).toMatchObject([{ org_id: seeded.acme, status: "completed" }]);
    });
  });

  describe("push events", () => {
    it("stores a completed call once, on the organisation's number, with its recording", async () => {
      const event = mightyCallSample("call.completed", { callId: "call_push_1", orgId: seeded.acme });
      expect(await push(event)).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await push(event)).toMatchObject({ status: 200, body: { status: "duplicate" } });
      const [call] = await rows("calls", "external_call_id", "call_push_1");
      expect(call).toMatchObject({
        org_id: seeded.acme,
        phone_id: seeded.line,
        business_number: BUSINESS,
        direction: "inbound",
        caller_phone: "+14155550187",
        from_number: "+14155550187",
        caller_name: "Maria Gonzalez",
        status: "completed",
        duration_seconds: 247,
        call_date: expect.any(String),
        recording_url: "https://recordings.example.com/call_push_1.mp3",
        source: "push",
      });
      // As the hand-written calls function did: the recording_url a call.completed carries is a recording.
      expect(await rows("mightycall_recordings", "external_call_id", "call_push_1")).toEqual([
        expect.objectContaining({
          org_id: seeded.acme,
          call_id: call?.id,
          external_recording_id: null,
          url: "https://recordings.example.com/call_push_1.mp3",
          duration_seconds: 247,
        }),
      ]);
    });

    it("stores a missed call with a duration of 0", async () => {
      const event = {
        ...mightyCallSample("call.completed", { callId: "call_push_missed", orgId: seeded.acme }),
        status: "missed",
        duration: 0,
      };
      delete (event as { recording_url?: string }).recording_url;
      expect((await push(event)).status).toBe(200);
      expect(await rows("calls", "external_call_id", "call_push_missed")).toMatchObject([{ status: "missed", duration_seconds: 0 }]);
      expect(await rows("mightycall_recordings", "external_call_id", "call_push_missed")).toEqual([]);
    });

    it("stores an SMS for the organisation behind an integration_id", async () => {
      const event = mightyCallSample("sms.received", { orgId: null, integrationId: integrations.acme });
      expect((await push(event)).status).toBe(200);
      expect(await rows("mightycall_sms_messages", "external_sms_id", event.sms_id)).toEqual([
        expect.objectContaining({
          org_id: seeded.acme,
          phone_id: seeded.line,
          direction: "inbound",
          sender: "+14155550187",
          recipient: BUSINESS,
          message: "Can I move my appointment to 3pm?",
          status: "received",
          message_date: expect.any(String),
        }),
      ]);
    });

    it("links a recording to its call, whichever arrives first, one row per recording", async () => {
      const after = mightyCallSample("recording.available", { callId: "call_push_1", orgId: seeded.acme });
      const final = "https://recordings.example.com/final/rec_after.mp3";
      expect((await push({ ...after, recording_id: "rec_after", url: final })).status).toBe(200);
      const [call] = await rows("calls", "external_call_id", "call_push_1");
      // The row call.completed's URL made is now this recording.
      expect(await rows("mightycall_recordings", "external_call_id", "call_push_1")).toMatchObject([
        {
          external_recording_id: "rec_after",
          call_id: call?.id,
          url: final,
          org_id: seeded.acme,
          duration_seconds: 247,
          format: "mp3",
          size_bytes: 3_952_640,
        },
      ]);
      expect(call).toMatchObject({ recording_url: final });

      const early = {
        ...mightyCallSample("recording.available", { callId: "call_push_2", orgId: seeded.acme }),
        recording_id: "rec_early",
      };
      expect((await push(early)).status).toBe(200);
      expect(await rows("calls", "external_call_id", "call_push_2")).toEqual([]); // nothing to link to yet
      expect(await rows("mightycall_recordings", "external_recording_id", "rec_early")).toMatchObject([{ call_id: null }]);
      expect((await push(mightyCallSample("call.completed", { callId: "call_push_2", orgId: seeded.acme }))).status).toBe(200);
      const [second] = await rows("calls", "external_call_id", "call_push_2");
      expect(second).toMatchObject({ recording_url: early.url, status: "completed" });
      expect(await rows("mightycall_recordings", "external_call_id", "call_push_2")).toMatchObject([
        { external_recording_id: "rec_early", call_id: second?.id },
      ]);
    });

    it("stores daily and hourly reports one row per metric, once", async () => {
      const daily = mightyCallSample("report.daily", { orgId: seeded.acme });
      const hourly = mightyCallSample("report.hourly", { orgId: seeded.acme });
      for (const event of [daily, hourly, daily]) expect((await push(event)).status).toBe(200);
      const metrics = (
        await db
          .from("mightycall_reports")
          .select("report_type, report_date, report_hour, metric_type, value, unit, phone_id, external_report_id")
          .eq("org_id", seeded.acme)
          .order("report_type")
          .order("metric_type")
          .throwOnError()
      ).data;
      const common = { report_date: "2026-03-14", phone_id: seeded.line };
      const daily_ = { ...common, report_type: "daily", report_hour: null, external_report_id: daily.report_id };
      const hourly_ = { ...common, report_type: "hourly", report_hour: 14, external_report_id: hourly.report_id };
      expect(metrics).toEqual([
        { ...daily_, metric_type: "avg_call_duration", value: 187.5, unit: "seconds" },
        { ...daily_, metric_type: "calls_missed", value: 0, unit: "count" },
        { ...daily_, metric_type: "calls_total", value: 12, unit: "count" },
        { ...hourly_, metric_type: "avg_call_duration", value: 187.5, unit: "seconds" },
        { ...hourly_, metric_type: "calls_missed", value: 0, unit: "count" },
        { ...hourly_, metric_type: "calls_total", value: 12, unit: "count" },
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
      const { data } = await db
        .from("mightycall_reports")
        .select("value, external_report_id")
        .eq("report_date", "2026-03-15")
        .eq("metric_type", "calls_total")
        .throwOnError();
      expect(data).toEqual([{ value: 13, external_report_id: "rep_corrected" }]);
    });
  });

  describe("native events", () => {
    it("makes one completed call of a call's events, in any order (sent with the callhooks CLI)", async () => {
      const url = `${fn.url}/?integration=${integrations.acme}`;
      await callhooks(["IncomingCallCompleted", "--call-id", "call-native-1", "--url", url, "--quiet"]);
      // Completed with no Connected yet: callhooks' record says missed, for now.
      expect(await rows("calls", "external_call_id", "call-native-1")).toMatchObject([{ status: "missed", duration_seconds: 0 }]);

      const rest = ["IncomingCallConnected", "IncomingCall", "IncomingCallRinging", "IncomingCallStopRinging", "IncomingCallConnected"];
      const { stdout } = await callhooks([...rest, "--call-id", "call-native-1", "--url", url, "--json"]);
      expect(
        stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(JSON.parse(line).body).status),
      ).toEqual(["processed", "processed", "processed", "processed", "duplicate"]);
      expect(await rows("calls", "external_call_id", "call-native-1")).toEqual([
        expect.objectContaining({
          org_id: seeded.acme,
          phone_id: seeded.line,
          direction: "inbound",
          status: "completed",
          extension: "101",
          duration_seconds: 247, // Connected → Completed
          started_at: "2026-03-14T14:28:00+00:00",
          call_date: "2026-03-14T14:28:00+00:00",
          source: "native",
        }),
      ]);
    });

    it("makes the same row of an outbound call's events delivered all at once", async () => {
      const types = ["OutgoingCall", "OutgoingCallConnected", "OutgoingCallCompleted"] as const;
      const answers = await Promise.all(
        types.map((type) => native(mightyCallSample(type, { callId: "call-native-burst" }), `?integration=${integrations.acme}`)),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(await rows("calls", "external_call_id", "call-native-burst")).toMatchObject([
        {
          direction: "outbound",
          from_number: BUSINESS,
          caller_phone: "+14155550187",
          status: "completed",
          duration_seconds: 247,
          source: "native",
        },
      ]);
    });

    it("stores a call nobody answered as missed, attributed by its business number", async () => {
      for (const type of ["IncomingCall", "IncomingCallCompleted"] as const) {
        expect(await native(mightyCallSample(type, { callId: "call-native-missed" }))).toMatchObject({
          status: 200,
          body: { status: "processed" },
        });
      }
      expect(await rows("calls", "external_call_id", "call-native-missed")).toMatchObject([
        { org_id: seeded.acme, phone_id: seeded.line, status: "missed", duration_seconds: 0, connected_at: null },
      ]);
    });
  });

  documentedCommands(fn, { secret, apiKey }, seeded);

  describe("row-level security", () => {
    /** What a role sees of a table through the API: the same role and JWT claims PostgREST sets. Refused counts as nothing. */
    async function visible(table: string, role: "authenticated" | "anon", userId?: string): Promise<number> {
      const claim = userId ? `set local request.jwt.claims = '${JSON.stringify({ sub: userId, role: "authenticated" })}';` : "";
      try {
        const output = await fn.stack.sql(`begin; set local role ${role}; ${claim} select count(*) from public.${table}; commit;`);
        return Number(output.trim().split("\n").at(-1));
      } catch (error) {
        if (/permission denied/.test(String(error))) return 0;
        throw error;
      }
    }

    it("lets members read their organisation's rows only, and the anon key nothing", async () => {
      for (const table of ["calls", "mightycall_sms_messages", "mightycall_recordings", "mightycall_reports"]) {
        const acme = (await db.from(table).select("*", { count: "exact", head: true }).eq("org_id", seeded.acme).throwOnError()).count ?? 0;
        expect(acme).toBeGreaterThan(0);
        expect(await visible(table, "authenticated", users.ana)).toBe(acme);
        expect(await visible(table, "authenticated", users.dan)).toBe(0);
        expect(await visible(table, "anon")).toBe(0);
      }
      if (!options.existing) {
        // Tables this migration created give anon no grant at all; an existing project's keep theirs.
        await expect(fn.stack.sql("begin; set local role anon; select count(*) from public.calls; commit;")).rejects.toThrow(
          /permission denied/,
        );
      }
    });
  });

  describe("the callhooks console at /mightycall-webhook/console/", () => {
    const consoleUrl = `${fn.url}/mightycall-webhook/console/`;
    const authorization = `Basic ${btoa(`admin:${DASHBOARD_PASSWORD}`)}`;

    it("refuses anyone without the DASHBOARD_PASSWORD credentials, with no CORS header for other sites", async () => {
      for (const headers of [{}, { authorization: `Basic ${btoa("admin:wrong-password")}` }] as Array<Record<string, string>>) {
        const refused = await fetch(consoleUrl, { headers });
        expect([refused.status, await refused.text(), refused.headers.get("access-control-allow-origin")]).toEqual([
          401,
          "Authentication required.",
          null,
        ]);
      }
    });

    it("shows an organisation's call with the events that built it, and never the ApiKey they were sent with", async () => {
      const callId = "call-console-1";
      for (const type of ["IncomingCallCompleted", "IncomingCall"] as const) {
        expect((await native(mightyCallSample(type, { callId }), `?integration=${integrations.acme}`)).status).toBe(200);
      }
      const inbox = await (await fetch(`${consoleUrl}?call=${callId}`, { headers: { authorization } })).text();
      expect(inbox).toContain("IncomingCallCompleted");
      const callLink = /href="\.\/(calls\/mightycall\/[^"]+)"/.exec(inbox)?.[1]?.replaceAll("&amp;", "&") as string;
      const call = await fetch(`${consoleUrl}${callLink}`, { headers: { authorization } });
      expect(call.status).toBe(200);
      const page = await call.text();
      expect(page).toMatch(/id="timeline"[\s\S]*IncomingCallCompleted[\s\S]*IncomingCall/);
      const id = /<tr data-id="([0-9a-f-]{36})"/.exec(inbox)?.[1] as string;
      const event = await (await fetch(`${consoleUrl}events/${id}`, { headers: { authorization } })).text();
      for (const shown of [inbox, page, event]) expect(shown).not.toContain(apiKey);
    });
  });
}
