import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseStorage, type SupabaseStorage } from "../src/index.js";
import { migrationFiles, type SupabaseStack, startSupabaseStack } from "../src/testing/index.js";
import { serviceClient, stack } from "./helpers.js";

const T0 = 1_800_000_000_000;
const [first, ...followUps] = migrationFiles();

/** A claim through the first migration's own function, as a deployment before the follow-ups made it. */
const oldClaim = (provider: string, key: string, orgId: string | null, callId: string) =>
  `select public.callhooks_claim('${JSON.stringify({
    event: { provider, key, type: "call_ended", callId, orgId, payload: { key }, receivedAt: T0 },
    records: [{ kind: "call", provider, id: callId, orgId, eventType: "call_ended", version: "40", fields: { status: "ended" } }],
    mode: "complete",
    leaseMs: 30_000,
    now: T0,
  })}'::jsonb)`;

/** PostgREST reads the functions' signatures when it starts; a migration that changes them asks it to look again. */
async function reloadApi(db: SupabaseStack): Promise<void> {
  await db.sql("notify pgrst, 'reload schema'");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

describe.skipIf(!stack)("the follow-up migrations, applied onto a database that already holds events and records", () => {
  let db: SupabaseStack;
  let storage: SupabaseStorage;

  beforeAll(async () => {
    db = await startSupabaseStack({ migrate: false, sql: [readFileSync(first as string, "utf8")] });
    await db.sql(oldClaim("mightycall", "IncomingCall:guid-1", "acme", "mc-1"));
    await db.sql(oldClaim("retell", "call_ended:call-1", null, "call-1"));
    // Twice: each follow-up must be idempotent.
    for (let round = 0; round < 2; round++) for (const file of followUps) await db.sql(readFileSync(file, "utf8"));
    await reloadApi(db);
    storage = createSupabaseStorage({ client: serviceClient(db.info) });
  }, 120_000);

  afterAll(() => db?.stop());

  it("keeps every existing event's identity: a delivery of it again is still its duplicate", async () => {
    const again = (provider: string, key: string, orgId: string | null) =>
      storage.claim({
        event: { provider, key, type: "call_ended", callId: null, orgId, payload: {}, receivedAt: T0 },
        records: [],
        mode: "lease",
        leaseMs: 30_000,
        now: T0 + 1,
      });
    expect((await again("mightycall", "IncomingCall:guid-1", "acme")).outcome).toBe("duplicate");
    expect((await again("retell", "call_ended:call-1", null)).outcome).toBe("duplicate");
    // Another tenant's event with the same key is an event of its own now.
    expect((await again("mightycall", "IncomingCall:guid-1", "globex")).outcome).toBe("claimed");
  });

  it("keeps every existing record readable by its tenant, and merges new patches into it", async () => {
    expect((await storage.getCall("mightycall", "mc-1", "acme"))?.fields).toMatchObject({ status: "ended" });
    expect((await storage.getCall("retell", "call-1", null))?.fields).toMatchObject({ status: "ended" });
    expect((await storage.getCall("retell", "call-1"))?.orgId).toBeNull();
    await storage.claim({
      event: {
        provider: "retell",
        key: "call_analyzed:call-1",
        type: "call_analyzed",
        callId: "call-1",
        orgId: null,
        payload: {},
        receivedAt: T0,
      },
      records: [
        {
          kind: "call",
          provider: "retell",
          id: "call-1",
          orgId: null,
          eventType: "call_analyzed",
          version: "50",
          fields: { summary: "ok" },
        },
      ],
      mode: "complete",
      leaseMs: 30_000,
      now: T0 + 2,
    });
    const call = await storage.getCall("retell", "call-1");
    expect(call?.fields).toMatchObject({ status: "ended", summary: "ok" });
    expect(call?.eventTypes).toEqual(["call_analyzed", "call_ended"]);
  });

  it("counts quarantined events and knows the new functions", async () => {
    expect(await storage.countEvents()).toMatchObject({ processed: 3, processing: 1, quarantined: 0 });
    const claim = await storage.claim({
      event: { provider: "retell", key: "q", type: "unknown", callId: null, orgId: null, payload: { a: 1 }, receivedAt: T0 },
      records: [],
      mode: "quarantine",
      quarantine: { reason: "bad", issues: [{ path: "(root)", message: "bad" }] },
      leaseMs: 30_000,
      now: T0,
    });
    expect(claim.event).toMatchObject({ status: "quarantined", issues: [{ path: "(root)", message: "bad" }] });
  });
});
