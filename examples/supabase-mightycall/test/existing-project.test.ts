import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AUTH_USERS_STANDIN,
  type LocalEdgeFunction,
  startEdgeFunctionOrSkip,
  startSupabaseStack,
} from "@callhooks/storage-supabase/testing";
import { describe, expect, it } from "vitest";
import { DASHBOARD_PASSWORD, FUNCTION, mightyCallSuite, projectDir } from "./suite.js";

/*
 * A project that already runs the four hand-written MightyCall functions: their tables, with a row
 * in each (test/fixtures/existing-mightycall-functions.sql). This example's migration is applied
 * onto it twice (once here, once as `supabase db push` would), then the whole end-to-end suite runs
 * on it.
 */

const existingSystem = readFileSync(join(projectDir, "test/fixtures/existing-mightycall-functions.sql"), "utf8");
const migration = readFileSync(join(projectDir, "supabase/migrations/20260302000000_mightycall.sql"), "utf8");
const credentials = { secret: `whsec_${randomUUID().replaceAll("-", "")}`, apiKey: randomUUID() };
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: {
    MIGHTYCALL_WEBHOOK_SECRET: credentials.secret,
    MIGHTYCALL_API_KEY: credentials.apiKey,
    DASHBOARD_PASSWORD,
    CALLHOOKS_MODE: "sync",
  },
  sqlBefore: [existingSystem, migration],
});

describe.skipIf(!running)("MightyCall Edge Functions on a project that already runs the hand-written functions", () => {
  const fn = running as LocalEdgeFunction;
  const sql = async (query: string) => (await fn.stack.sql(query)).trim();

  describe("the migration, applied twice onto the existing tables", () => {
    it("leaves each existing row as it was", async () => {
      const legacy = {
        organizations: "select name from organizations",
        org_members: "select role from org_members",
        phone_numbers: "select number || ' ' || label from phone_numbers",
        org_integrations: "select provider || ' ' || active from org_integrations",
        calls:
          "select external_call_id || ' ' || caller_name || ' ' || caller_phone || ' ' || duration_seconds || ' ' || status || ' ' || call_date from calls",
        mightycall_sms_messages:
          "select external_sms_id || ' ' || sender || ' ' || message || ' ' || message_date from mightycall_sms_messages",
        mightycall_recordings: "select external_call_id || ' ' || call_id || ' ' || url || ' ' || created_at from mightycall_recordings",
        mightycall_reports: "select external_report_id || ' ' || metric_type || ' ' || value || ' ' || report_date from mightycall_reports",
      };
      const rows = Object.fromEntries(
        await Promise.all(Object.entries(legacy).map(async ([table, query]) => [table, (await sql(query)).split("\n")])),
      );
      expect(rows).toEqual({
        organizations: ["Legacy Plumbing"],
        org_members: ["org_admin"],
        phone_numbers: ["+13125550100 Legacy line"],
        org_integrations: ["mightycall true"], // `active` added, with the default
        calls: ["call_legacy_1 Unknown +13125550199 61 completed 2025-12-01 10:00:00+00"],
        mightycall_sms_messages: ["sms_legacy_1 +13125550199 Is the shop open? 2025-12-01 11:00:00+00"],
        mightycall_recordings: [
          "call_legacy_1 00000000-0000-4000-8000-0000000000d1 https://recordings.example.com/call_legacy_1.mp3 2025-12-01 10:01:02+00",
        ],
        mightycall_reports: ["rep_legacy_1 calls_total 9 2025-12-01"],
      });
    });

    it("adds the columns the functions write, and keeps the project's own grants and policies", async () => {
      expect(
        await sql(
          "select count(*) from information_schema.columns where table_name = 'calls' and column_name in ('business_number', 'connected_at', 'source')",
        ),
      ).toBe("3");
      expect(
        await sql(
          "select count(*) from information_schema.columns where table_name = 'mightycall_reports' and column_name in ('report_hour', 'metric_key')",
        ),
      ).toBe("2");
      expect(
        await sql(
          "select has_table_privilege('anon', 'public.calls', 'select') and has_table_privilege('authenticated', 'public.mightycall_reports', 'insert')",
        ),
      ).toBe("t");
      expect(await sql("select policyname from pg_policies where tablename = 'calls' order by 1")).toBe(
        ["members read their organisation's calls", "org members can read"].join("\n"),
      );
    });

    it("runs the document's monitoring queries on the old rows too", async () => {
      const org = "00000000-0000-4000-8000-0000000000a1";
      for (const [table, order] of [
        ["calls", "call_date"],
        ["mightycall_sms_messages", "message_date"],
        ["mightycall_recordings", "created_at"],
        ["mightycall_reports", "report_date"],
      ]) {
        expect((await sql(`SELECT * FROM ${table} WHERE org_id = '${org}' ORDER BY ${order} DESC;`)).split("\n")).toHaveLength(1);
      }
    });
  });

  describe("the end-to-end suite", () => {
    mightyCallSuite(fn, credentials, { existing: true });
  });
});

describe.skipIf(!running)("the migration on a project that stored a MightyCall SMS twice", () => {
  it("stops with what to do, and changes nothing", async () => {
    const stack = await startSupabaseStack({
      sql: [
        AUTH_USERS_STANDIN,
        existingSystem,
        "insert into public.mightycall_sms_messages (external_sms_id, message) values ('sms_legacy_1', 'Is the shop open?')",
      ],
    });
    try {
      const refused = stack.sql(migration);
      await expect(refused).rejects.toThrow("1 MightyCall ids have more than one row in public.mightycall_sms_messages");
      await expect(refused).rejects.toThrow("Keep one row per external_sms_id");
      expect(
        (await stack.sql("select count(*) from information_schema.columns where table_name = 'calls' and column_name = 'source'")).trim(),
      ).toBe("0");
      expect((await stack.sql("select count(*) from public.mightycall_sms_messages")).trim()).toBe("2");
    } finally {
      await stack.stop();
    }
  });
});
