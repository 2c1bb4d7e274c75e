import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PostgresUnavailableError, type SupabaseStack, startSupabaseStack } from "@callhooks/storage-supabase/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callJobScenarios, ENDED, jobEvent, jobOf, keys, RETELL, send } from "./helpers.js";
import { exampleDir, type Running, startFailure, startServer } from "./server.js";

/*
 * The server on Supabase storage, for real: a PostgreSQL + PostgREST stack with callhooks' migration
 * and call_jobs.sql applied, `node src/server.ts` against it, and the rows read back with psql. The
 * same suite runs on a new project and on one that already has the FastAPI + MongoDB receiver's
 * tables as PostgreSQL tables (test/fixtures/), onto which call_jobs.sql was applied twice.
 */

const ci = process.env.CI === "true";
const migration = readFileSync(join(exampleDir, "supabase/migrations/20260401000000_call_jobs.sql"), "utf8");
const existingSystem = readFileSync(join(exampleDir, "test/fixtures/existing-fastapi-mongodb.sql"), "utf8");

async function startStack(sql: string[]): Promise<SupabaseStack | null> {
  try {
    return await startSupabaseStack({ sql });
  } catch (error) {
    if (error instanceof PostgresUnavailableError && !ci) {
      console.warn(`SKIPPING express-server on Supabase: ${error.message}`);
      return null;
    }
    throw error;
  }
}

const fresh = await startStack([migration]);
const existing = fresh && (await startStack([existingSystem, migration, migration]));

function supabaseSuite(title: string, stack: SupabaseStack | null, options: { existing: boolean }) {
  describe.skipIf(!stack)(title, () => {
    const db = stack as SupabaseStack;
    const sql = async (query: string) => (await db.sql(query)).trim();
    let server: Running;
    beforeAll(async () => {
      server = await startServer({
        RETELL_API_KEY: keys.apiKey,
        API_TOKEN: keys.apiToken,
        SUPABASE_URL: db.supabaseUrl,
        SUPABASE_SERVICE_ROLE_KEY: db.serviceRoleKey,
        PUBLIC_URL: "https://hooks.example.com",
        DASHBOARD_PASSWORD: keys.dashboardPassword,
      });
    });
    afterAll(async () => {
      await server?.stop();
      await db?.stop();
    });

    if (options.existing) {
      it("left the existing rows as they were, and added the columns it writes", async () => {
        expect(await sql("select id || ' ' || debtor_name || ' ' || status || ' ' || call_id || ' ' || attempts from call_jobs")).toBe(
          "job_legacy_1 Juan Pérez completed call_legacy_1 1",
        );
        expect(
          await sql("select call_id || ' ' || status || ' ' || end_timestamp || ' ' || transcript || ' ' || created_at from call_results"),
        ).toBe("call_legacy_1 analyzed 1714608491736 Agent: Hola. User: Sobre la deuda… 2024-12-21 10:00:00+00");
        expect(
          await sql(
            "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'call_jobs' and column_name like 'last_call%'",
          ),
        ).toBe("last_call_event,last_call_timestamp");
      });
    }

    it("uses the Supabase storage", async () => {
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok", storage: "supabase" });
      expect((await (await fetch(`${server.url}${RETELL}/test`)).json()).webhook_url).toBe(
        "POST https://hooks.example.com/api/v1/webhook/retell",
      );
    });

    callJobScenarios(() => server);

    it("keeps the jobs in call_jobs and each event once in callhooks_events", async () => {
      const rows = await sql(
        "select id || '|' || status || '|' || last_call_event || '|' || call_duration || '|' || last_call_timestamp from public.call_jobs where id in ('job_in_order', 'job_backwards') order by id",
      );
      expect(rows.split("\n")).toEqual([
        "job_backwards|completed|call_analyzed|95|2026-01-01 12:01:35+00",
        "job_in_order|completed|call_analyzed|95|2026-01-01 12:01:35+00",
      ]);
      const events = await sql(
        "select event_type || '|' || status from public.callhooks_events where call_id = 'call_backwards' order by event_type",
      );
      expect(events.split("\n")).toEqual(["call_analyzed|processed", "call_ended|processed", "call_started|processed"]);
    });

    it("brings up to date the job the dialer stored the call's id on, without any metadata", async () => {
      await db.sql("insert into public.call_jobs (id, call_id, status) values ('job_dialed', 'call_dialed', 'pending')");
      for (const type of ["call_started", "call_ended"] as const)
        expect((await send(server, jobEvent(type, "call_dialed", null))).status).toBe(200);
      expect(await jobOf(server, "job_dialed")).toMatchObject({
        call_id: "call_dialed",
        status: "completed",
        last_call_event: "call_ended",
        last_call_timestamp: ENDED,
        disconnection_reason: "user_hangup",
        call_duration: 95,
      });
      expect(await sql("select count(*) from public.call_jobs where call_id = 'call_dialed'")).toBe("1");
    });

    it("keeps every call in call_results as the MongoDB receiver did, and answers its README's queries in SQL", async () => {
      for (const type of ["call_started", "call_ended"] as const)
        expect((await send(server, jobEvent(type, "call_result_ended", null))).status).toBe(200);
      const row = JSON.parse(
        await sql("select to_jsonb(c) - 'id' - 'created_at' - 'updated_at' from public.call_results c where call_id = 'call_result_ended'"),
      );
      expect(row).toMatchObject({
        call_id: "call_result_ended",
        agent_id: "agent_sample0000000000000000",
        from_number: "+16505550100",
        to_number: "+14155550101",
        direction: "outbound",
        call_type: "phone_call",
        status: "ended",
        start_timestamp: 1767268800000,
        end_timestamp: 1767268895000,
        disconnection_reason: "user_hangup",
        transcript: expect.stringContaining("¿Mañana?"),
        transcript_object: expect.arrayContaining([expect.objectContaining({ role: "agent" })]),
        retell_llm_dynamic_variables: { customer_name: "Ana" },
      });
      expect(await sql("select status from public.call_results where call_id = 'call_in_order'")).toBe("analyzed");

      // db.call_results.find({ status: "ended", created_at: { $gte: … } })
      expect(
        (await sql("select call_id from call_results where status = 'ended' and created_at >= '2024-12-21T00:00:00Z'")).split("\n"),
      ).toContain("call_result_ended");
      // db.call_results.aggregate([{ $group: { _id: "$disconnection_reason", count: { $sum: 1 } } }])
      const reasons = await sql("select disconnection_reason || ' ' || count(*) from call_results group by disconnection_reason");
      expect(reasons).toMatch(/^user_hangup \d+$/m);
      // db.call_jobs.find({ call_id: { $exists: true } })
      expect((await sql("select id from call_jobs where call_id is not null order by id")).split("\n")).toEqual(
        expect.arrayContaining(["job_dialed", "job_in_order"]),
      );
      // db.call_results.find({ transcript: /mañana/i })
      expect((await sql("select call_id from call_results where transcript ~* 'mañana'")).split("\n")).toContain("call_result_ended");
    });

    it("shows the events kept in Supabase in the callhooks console, behind DASHBOARD_PASSWORD", async () => {
      const authorization = `Basic ${Buffer.from(`admin:${keys.dashboardPassword}`).toString("base64")}`;
      expect((await fetch(`${server.url}/admin/callhooks/`)).status).toBe(401);
      const inbox = await fetch(`${server.url}/admin/callhooks/?type=call_analyzed`, { headers: { authorization } });
      expect(inbox.status).toBe(200);
      const page = await inbox.text();
      expect(page).toContain("call_analyzed");
      expect(page).not.toContain("No events match.");
    });

    it("answers 500 when the database fails, so Retell delivers again, and keeps the event until a delivery succeeds", async () => {
      const event = jobEvent("call_started", "call_db_down", "job_db_down");
      await db.sql(`create function public.test_refuse_job() returns trigger language plpgsql as $$
        begin raise exception 'simulated outage'; end $$;
        create trigger test_refuse_job before insert or update on public.call_jobs for each row
        when (new.id = 'job_db_down') execute function public.test_refuse_job();`);
      try {
        const failed = await send(server, event);
        expect(failed).toMatchObject({ status: 500, body: { error: "handler_failed" } });
        expect(JSON.stringify(failed.body)).not.toContain("simulated outage");
        expect(await sql("select status || ' ' || attempts from public.callhooks_events where call_id = 'call_db_down'")).toBe("failed 1");
      } finally {
        await db.sql("drop trigger test_refuse_job on public.call_jobs; drop function public.test_refuse_job();");
      }
      expect(await send(server, event)).toMatchObject({ status: 200, body: { status: "processed" } });
      expect(await sql("select status || ' ' || attempts from public.callhooks_events where call_id = 'call_db_down'")).toBe("processed 2");
      expect(await jobOf(server, "job_db_down")).toMatchObject({ status: "in_progress", last_call_event: "call_started" });
    });

    it("never prints a secret", () => {
      for (const secret of [keys.apiKey, keys.apiToken, db.serviceRoleKey]) expect(server.output()).not.toContain(secret);
    });
  });
}

supabaseSuite("express-server on Supabase, a new project (PostgreSQL, PostgREST, supabase-js)", fresh, { existing: false });
supabaseSuite("express-server on Supabase, with the MongoDB receiver's tables already in PostgreSQL", existing, { existing: true });

describe.skipIf(!fresh)("call_jobs.sql on a project whose call_results holds a call twice", () => {
  it("stops with what to do, and changes nothing", async () => {
    const stack = await startSupabaseStack({
      sql: [existingSystem, "insert into public.call_results (call_id, status) values ('call_legacy_1', 'ended')"],
    });
    try {
      const refused = stack.sql(migration);
      await expect(refused).rejects.toThrow("1 calls have more than one row in public.call_results");
      await expect(refused).rejects.toThrow("Keep one row per call_id");
      expect(
        (
          await stack.sql(
            "select count(*) from information_schema.columns where table_name = 'call_jobs' and column_name = 'last_call_event'",
          )
        ).trim(),
      ).toBe("0");
    } finally {
      await stack.stop();
    }
  });
});

describe.skipIf(!fresh)("express-server with Supabase not migrated", () => {
  it("refuses to start, saying which migration is missing", async () => {
    const bare = await startSupabaseStack({ migrate: false });
    try {
      const { code, output } = await startFailure({
        RETELL_API_KEY: keys.apiKey,
        SUPABASE_URL: bare.supabaseUrl,
        SUPABASE_SERVICE_ROLE_KEY: bare.serviceRoleKey,
      });
      expect(code).toBe(1);
      expect(output).toContain("Supabase is not ready");
      expect(output).toContain("migration");
      expect(output).not.toContain(bare.serviceRoleKey);
    } finally {
      await bare.stop();
    }
  });
});
