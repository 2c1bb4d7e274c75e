import { fileURLToPath } from "node:url";
import { type LocalEdgeFunction, type ServedEdgeFunction, serveEdgeFunction } from "@callhooks/storage-supabase/testing";
import { curl } from "@callhooks/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Credentials, Seeded } from "./suite.js";

const projectDir = fileURLToPath(new URL("..", import.meta.url));
const OLD_FUNCTIONS = [
  "mightycall-calls-webhook",
  "mightycall-sms-webhook",
  "mightycall-recordings-webhook",
  "mightycall-reports-webhook",
] as const;

/**
 * The four URLs the hand-written functions gave MightyCall, each its own function served by Deno
 * against the suite's database, and the old document's commands run against them with curl,
 * verbatim but for their placeholders: its answers, the rows, and its monitoring queries.
 */
export function documentedCommands(fn: LocalEdgeFunction, { secret, apiKey }: Credentials, seeded: Seeded) {
  const db = fn.db;
  const rows = async (table: string, column: string, value: string) =>
    (await db.from(table).select("*").eq(column, value).throwOnError()).data ?? [];

  describe("the four URLs MightyCall is configured with, and the old functions' documented commands", () => {
    const served = {} as Record<(typeof OLD_FUNCTIONS)[number], ServedEdgeFunction>;
    beforeAll(async () => {
      const started = await Promise.all(
        OLD_FUNCTIONS.map((name) =>
          serveEdgeFunction({
            projectDir,
            name,
            supabaseUrl: fn.stack.supabaseUrl,
            serviceRoleKey: fn.stack.serviceRoleKey,
            secrets: { MIGHTYCALL_WEBHOOK_SECRET: secret, MIGHTYCALL_API_KEY: apiKey, CALLHOOKS_MODE: "sync" },
          }),
        ),
      );
      OLD_FUNCTIONS.forEach((name, i) => {
        served[name] = started[i] as ServedEdgeFunction;
      });
    });
    afterAll(() => Promise.all(Object.values(served).map((server) => server.stop())));

    /** One of the old document's commands, verbatim but for its placeholders, run with curl. */
    const run = (command: string) =>
      curl(
        command
          .replace(
            /https:\/\/\[project\]\.supabase\.co\/functions\/v1\/([a-z-]+)/g,
            (_, name: (typeof OLD_FUNCTIONS)[number]) => served[name].url,
          )
          .replaceAll("your-secret-key", secret)
          .replaceAll("your-org-id", seeded.acme),
      );

    it("stores a call sent to mightycall-calls-webhook (the document's Manual Test - Calls)", async () => {
      const answer = await run(`curl -X POST https://[project].supabase.co/functions/v1/mightycall-calls-webhook \\
      -H "Authorization: Bearer your-secret-key" \\
      -H "Content-Type: application/json" \\
      -d '{
        "event": "call.completed",
        "call_id": "test_12345",
        "phone_number": "+12125551234",
        "caller_name": "Test Caller",
        "duration": 120,
        "status": "completed",
        "direction": "inbound",
        "timestamp": "2024-01-20T14:30:00Z",
        "org_id": "your-org-id"
      }'`);
      expect(answer).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await rows("calls", "external_call_id", "test_12345")).toMatchObject([
        {
          org_id: seeded.acme,
          phone_id: seeded.documentedLine,
          caller_name: "Test Caller",
          duration_seconds: 120,
          status: "completed",
          direction: "inbound",
          call_date: "2024-01-20T14:30:00+00:00",
        },
      ]);
    });

    it("stores an SMS sent to mightycall-sms-webhook (the document's Manual Test - SMS)", async () => {
      const answer = await run(`curl -X POST https://[project].supabase.co/functions/v1/mightycall-sms-webhook \\
      -H "Authorization: Bearer your-secret-key" \\
      -H "Content-Type: application/json" \\
      -d '{
        "event": "sms.received",
        "sms_id": "test_sms_12345",
        "phone_number": "+12125551234",
        "direction": "inbound",
        "sender": "+14155555678",
        "recipient": "+12125551234",
        "message": "Test message",
        "status": "received",
        "timestamp": "2024-01-20T14:30:00Z",
        "org_id": "your-org-id"
      }'`);
      expect(answer).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await rows("mightycall_sms_messages", "external_sms_id", "test_sms_12345")).toMatchObject([
        {
          org_id: seeded.acme,
          phone_id: seeded.documentedLine,
          direction: "inbound",
          sender: "+14155555678",
          recipient: "+12125551234",
          message: "Test message",
          status: "received",
          message_date: "2024-01-20T14:30:00+00:00",
        },
      ]);
    });

    it("stores the documented recording and report payloads sent to their URLs", async () => {
      const recording = await run(`curl -X POST https://[project].supabase.co/functions/v1/mightycall-recordings-webhook \\
      -H "Authorization: Bearer your-secret-key" \\
      -H "Content-Type: application/json" \\
      -d '{
        "event": "recording.available",
        "recording_id": "rec_12345",
        "call_id": "test_12345",
        "phone_number": "+12125551234",
        "url": "https://mightycall.com/recordings/rec_12345.mp3",
        "duration": 180,
        "format": "mp3",
        "size_bytes": 2890000,
        "timestamp": "2024-01-20T14:30:00Z",
        "org_id": "your-org-id",
        "integration_id": "integration-uuid"
      }'`);
      expect(recording).toMatchObject({ status: 200, body: { status: "processed" } });
      const [call] = await rows("calls", "external_call_id", "test_12345");
      expect(await rows("mightycall_recordings", "external_recording_id", "rec_12345")).toMatchObject([
        {
          org_id: seeded.acme,
          call_id: call?.id,
          external_call_id: "test_12345",
          url: "https://mightycall.com/recordings/rec_12345.mp3",
          duration_seconds: 180,
          format: "mp3",
          size_bytes: 2_890_000,
        },
      ]);

      const metrics = [
        ["calls_total", 42, "count"],
        ["calls_completed", 40, "count"],
        ["calls_missed", 2, "count"],
        ["avg_call_duration", 240, "seconds"],
        ["sms_sent", 15, "count"],
        ["sms_received", 18, "count"],
      ] as const;
      const report = await run(`curl -X POST https://[project].supabase.co/functions/v1/mightycall-reports-webhook \\
      -H "Authorization: Bearer your-secret-key" \\
      -H "Content-Type: application/json" \\
      -d '{
        "event": "report.daily",
        "report_id": "rep_12345",
        "report_type": "daily",
        "date": "2024-01-20",
        "phone_number": "+12125551234",
        "metrics": ${JSON.stringify(metrics.map(([metric_type, value, unit]) => ({ metric_type, value, unit })))},
        "timestamp": "2024-01-20T23:59:59Z",
        "org_id": "your-org-id",
        "integration_id": "integration-uuid"
      }'`);
      expect(report).toMatchObject({ status: 200, body: { status: "processed" } });
      const stored = (
        await db.from("mightycall_reports").select("metric_type, value, unit").eq("external_report_id", "rep_12345").throwOnError()
      ).data;
      expect(stored).toEqual(expect.arrayContaining(metrics.map(([metric_type, value, unit]) => ({ metric_type, value, unit }))));
      expect(stored).toHaveLength(6);
    });

    it("answers as documented: 401 without the Bearer secret, { error, details }; an unknown organisation is kept quarantined (202)", async () => {
      const body = `'{"event":"call.completed","call_id":"test_401","phone_number":"+12125551234","duration":120,"status":"completed","direction":"inbound","timestamp":"2024-01-20T14:30:00Z","org_id":"your-org-id"}'`;
      const url = "https://[project].supabase.co/functions/v1/mightycall-calls-webhook";
      const missing = await run(`curl -X POST ${url} -H "Content-Type: application/json" -d ${body}`);
      const wrong = await run(
        `curl -X POST ${url} -H "Authorization: Bearer not-the-secret" -H "Content-Type: application/json" -d ${body}`,
      );
      for (const refused of [missing, wrong])
        expect(refused).toMatchObject({ status: 401, body: { error: "unauthorized", details: expect.any(String) } });
      // The document's placeholder left in: no organisation of ours. The old function answered 400 (and
      // MightyCall dropped the event after its retries); callhooks keeps it, quarantined, for a replay.
      const placeholder = await curl(
        `curl -X POST ${served["mightycall-calls-webhook"].url} -H "Authorization: Bearer ${secret}" -H "Content-Type: application/json" -d ${body}`,
      );
      expect(placeholder).toMatchObject({ status: 202, body: { status: "quarantined", event_id: expect.any(String) } });
      expect(await rows("calls", "external_call_id", "test_401")).toEqual([]);
    });

    it("runs the document's monitoring queries", async () => {
      const monitoring = [
        "SELECT * FROM calls WHERE org_id = 'your-org-id' ORDER BY call_date DESC;",
        "SELECT * FROM mightycall_sms_messages WHERE org_id = 'your-org-id' ORDER BY message_date DESC;",
        "SELECT * FROM mightycall_recordings WHERE org_id = 'your-org-id' ORDER BY created_at DESC;",
        "SELECT * FROM mightycall_reports WHERE org_id = 'your-org-id' ORDER BY report_date DESC;",
      ];
      const [calls, messages, recordings, reports] = await Promise.all(
        monitoring.map(async (query) =>
          (await fn.stack.sql(`select count(*) from (${query.replace("your-org-id", seeded.acme).replace(/;$/, "")}) q`)).trim(),
        ),
      );
      expect(Number(calls)).toBe(await count("calls"));
      expect(Number(calls)).toBeGreaterThanOrEqual(8);
      expect(Number(messages)).toBe(2);
      expect(Number(recordings)).toBe(await count("mightycall_recordings"));
      expect(Number(reports)).toBe(await count("mightycall_reports"));
      const newestFirst = (await fn.stack.sql(monitoring[0]?.replace("your-org-id", seeded.acme) as string)).trim().split("\n");
      expect(newestFirst.at(-1)).toContain("test_12345"); // the documented call, of 2024, after the samples of 2026
    });

    const count = async (table: string) =>
      (await db.from(table).select("*", { count: "exact", head: true }).eq("org_id", seeded.acme).throwOnError()).count ?? 0;
  });
}
