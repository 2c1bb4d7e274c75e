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
import { campaignsSuite, DASHBOARD_PASSWORD, FUNCTION, projectDir } from "./suite.js";

/*
 * A project that already runs the hand-written `retell-webhook`: its tables, with a row in each
 * (test/fixtures/existing-retell-webhook.sql). This example's migration is applied onto it twice
 * (once here, once as `supabase db push` would), then the whole end-to-end suite runs on it.
 */

const existingSystem = readFileSync(join(projectDir, "test/fixtures/existing-retell-webhook.sql"), "utf8");
const migration = readFileSync(join(projectDir, "supabase/migrations/20260302000000_campaigns.sql"), "utf8");
const apiKey = `key_campaigns_${randomUUID().replaceAll("-", "")}`;
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: { RETELL_API_KEY: apiKey, DASHBOARD_PASSWORD, CALLHOOKS_MODE: "sync" },
  sqlBefore: [existingSystem, migration],
});

describe.skipIf(!running)("retell-webhook on a project that already runs the hand-written receiver", () => {
  const fn = running as LocalEdgeFunction;
  const sql = async (query: string) => (await fn.stack.sql(query)).trim();

  describe("the migration, applied twice onto the existing tables", () => {
    it("leaves each existing row as it was", async () => {
      const legacy = {
        organizations: "select name from organizations",
        profiles: "select role || ' ' || email from profiles",
        phone_numbers: "select phone_number || ' ' || retell_inbound_agent_id from phone_numbers",
        agents: "select name || ' ' || retell_agent_id from agents",
        call_campaigns: "select name || ' ' || status || ' ' || processed_numbers || '/' || total_numbers from call_campaigns",
        calls: "select retell_call_id || ' ' || status || ' ' || duration_seconds || ' ' || cost || ' ' || disconnect_reason from calls",
        campaign_contacts: "select name || ' ' || phone || ' ' || status || ' ' || call_id from campaign_contacts",
        notifications: "select title || ': ' || message || ' ' || is_read from notifications",
        activity_logs: "select action || ' ' || (details ->> 'from_number') from activity_logs",
      };
      const rows = Object.fromEntries(
        await Promise.all(Object.entries(legacy).map(async ([table, query]) => [table, (await sql(query)).split("\n")])),
      );
      expect(rows).toEqual({
        organizations: ["Legacy Clinic"],
        profiles: ["admin legacy@example.com"],
        phone_numbers: ["+15125550100 agent_legacy_inbound"],
        agents: ["Legacy agent agent_legacy"],
        call_campaigns: ["Winter recall completed 1/1"],
        calls: ["call_legacy_1 completed 42 0.35 user_hangup"],
        campaign_contacts: ["Lee Legacy +15125550199 completed 00000000-0000-4000-8000-0000000000e1"],
        notifications: ["Incoming Call Received: New inbound call from +15125550111 to +15125550100 false"],
        activity_logs: ["inbound_call_received +15125550111"],
      });
    });

    it("adds the columns the function writes, and keeps the project's own grants and policies", async () => {
      expect(
        await sql(
          "select count(*) from information_schema.columns where table_name = 'calls' and column_name in ('call_status', 'summary', 'contact_id')",
        ),
      ).toBe("3");
      expect(
        await sql("select count(*) from information_schema.columns where table_name = 'notifications' and column_name = 'source_key'"),
      ).toBe("1");
      // The front end's access, untouched: anon keeps Supabase's default grant, its policies stay.
      expect(
        await sql(
          "select has_table_privilege('anon', 'public.calls', 'select') and has_table_privilege('authenticated', 'public.notifications', 'update')",
        ),
      ).toBe("t");
      expect(await sql("select policyname from pg_policies where tablename = 'notifications' order by 1")).toBe(
        ["Users can manage their notifications", "users mark their notifications read", "users read their notifications"].join("\n"),
      );
    });
  });

  describe("the end-to-end suite", () => {
    campaignsSuite(fn, apiKey, { existing: true });
  });
});

describe.skipIf(!running)("the migration on a project whose calls table holds a call twice", () => {
  it("stops with what to do, and changes nothing", async () => {
    const stack = await startSupabaseStack({
      sql: [AUTH_USERS_STANDIN, existingSystem, "insert into public.calls (retell_call_id, status) values ('call_legacy_1', 'completed')"],
    });
    try {
      const refused = stack.sql(migration);
      await expect(refused).rejects.toThrow("1 Retell calls have more than one row in public.calls");
      await expect(refused).rejects.toThrow("Keep one row per retell_call_id");
      expect(
        (
          await stack.sql("select count(*) from information_schema.columns where table_name = 'calls' and column_name = 'call_status'")
        ).trim(),
      ).toBe("0");
      expect((await stack.sql("select count(*) from public.calls")).trim()).toBe("2");
    } finally {
      await stack.stop();
    }
  });
});
