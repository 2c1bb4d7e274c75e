import { describe, expect, it } from "vitest";
import { serviceClient, stack, storageFor } from "./helpers.js";
import { sql } from "./sql.js";

const TABLES = ["callhooks_events", "callhooks_calls", "callhooks_messages", "callhooks_recordings", "callhooks_reports"];

describe.skipIf(!stack)("the anon and publishable keys are refused", () => {
  const info = stack!;

  it("sees no rows, even when there are some", async () => {
    const storage = storageFor(info);
    await storage.claim({
      event: {
        provider: "sec",
        key: `k-${Date.now()}`,
        type: "call_ended",
        callId: "c",
        orgId: null,
        payload: { secret: "x" },
        receivedAt: 1,
      },
      records: [
        { kind: "call", provider: "sec", id: "c", orgId: null, eventType: "call_ended", version: "40.0.k", fields: { status: "ended" } },
      ],
      mode: "complete",
      leaseMs: 1000,
      now: 1,
    });
    const service = serviceClient(info);
    expect((await service.from("callhooks_events").select("id").eq("provider", "sec")).data?.length).toBeGreaterThan(0);
    for (const key of [info.anonKey, info.publishableKey]) {
      const anon = serviceClient(info, key);
      for (const table of TABLES) {
        const { data, error } = await anon.from(table).select("*").limit(5);
        // Revoked privileges answer 401 42501; were they ever granted again, RLS (no policies) answers [].
        expect(data ?? []).toEqual([]);
        if (error) expect(error.code).toBe("42501");
      }
    }
  });

  it("cannot insert, update or call the functions", async () => {
    const anon = serviceClient(info, info.anonKey);
    const insert = await anon.from("callhooks_events").insert({
      provider: "x",
      event_key: "y",
      event_type: "z",
      received_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    expect(insert.status).toBe(401);
    expect(insert.error?.code).toBe("42501");
    const update = await anon.from("callhooks_calls").update({ org_id: "evil" }).eq("provider", "sec");
    expect(update.error?.code).toBe("42501");
    const claim = await anon.rpc("callhooks_claim", { p_request: {} });
    expect(claim.status).toBe(401);
    expect(claim.error?.code).toBe("42501");
    for (const [fn, args] of [
      ["callhooks_claim_due", { p_limit: 10, p_lease_ms: 1000, p_now: Date.now(), p_providers: null }],
      ["callhooks_requeue", { p_ids: [], p_now: 0 }],
      ["callhooks_count_events", { p_provider: null }],
      ["callhooks_merge_record", { p_org_id: null, p_fields: null, p_data: null, p_versions: null, p_event_types: null, p_patch: {} }],
    ] as const) {
      const { error } = await anon.rpc(fn, args);
      expect(error?.code, fn).toBe("42501");
    }
  });

  it("a storage built on the anon key fails loudly with a typed error instead of seeing nothing", async () => {
    const storage = storageFor({ ...info, serviceRoleKey: info.anonKey });
    const error = await storage.countEvents().catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "SupabaseStorageError",
      code: "storage_error",
      status: 500,
      httpStatus: 401,
      postgresCode: "42501",
    });
    expect((error as Error).message).toContain("service role");
    expect((error as Error).message).not.toContain(info.anonKey);
  });

  it("has RLS on every table and no function executable by anon or authenticated", async () => {
    const rls = await sql(
      info,
      `select relname || ':' || relrowsecurity from pg_class
       where relnamespace = 'public'::regnamespace and relname = any(array['${TABLES.join("','")}']) order by 1`,
    );
    expect(rls.trim().split("\n")).toEqual(
      TABLES.slice()
        .sort()
        .map((t) => `${t}:true`),
    );
    const policies = await sql(info, "select count(*) from pg_policies where tablename like 'callhooks_%'");
    expect(policies.trim()).toBe("0");
    const executable = await sql(
      info,
      `select p.proname || ':' || r.rolname from pg_proc p cross join (values ('anon'), ('authenticated')) v(n) join pg_roles r on r.rolname = v.n
       where p.proname like 'callhooks_%' and has_function_privilege(r.oid, p.oid, 'execute')`,
    );
    expect(executable.trim()).toBe("");
  });
});
