import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeRecord, recordVersion } from "../storage/merge.js";
import type {
  ClaimRequest,
  EventCursor,
  EventSelection,
  RecordPatch,
  StoredEvent,
  StoredRecord,
  WebhookStorage,
} from "../storage/types.js";
import type { MightyCallNativeEvent } from "../mightycall/native-schemas.js";
import { mightyCallNativeRecords } from "../mightycall/normalize/native.js";
import { mightyCallSample } from "../samples/mightycall-samples.js";

export interface StorageConformanceOptions {
  /**
   * Makes the storage under test. Called once for the suite; every test uses its own provider
   * name, so a shared database works.
   */
  create(): WebhookStorage | Promise<WebhookStorage>;
  /** Tears it down after the suite. */
  destroy?(storage: WebhookStorage): void | Promise<void>;
  /** How many concurrent claims of one key to race (default 50). */
  concurrency?: number;
  /**
   * Rounds of the race for a due event (default 150 rounds of 30 concurrent claimers): a storage
   * that forgets to lock the row it decides on loses only some of the rounds.
   */
  raceRounds?: number;
}

const T0 = 1_800_000_000_000;
const LEASE = 30_000;

let counter = 0;
/** A provider name of its own per test, so tests never see each other's events. */
function uniqueProvider(): string {
  counter += 1;
  return `conformance-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

function request(provider: string, key: string, overrides: Partial<ClaimRequest> = {}, records: RecordPatch[] = []): ClaimRequest {
  return {
    event: {
      provider,
      key,
      type: "call_ended",
      callId: "call_1",
      orgId: null,
      payload: { event: "call_ended", call: { call_id: "call_1", note: "ünïcødé ✓", nested: { list: [1, 2.5, null, true] } } },
      receivedAt: T0,
    },
    records,
    mode: "lease",
    leaseMs: LEASE,
    now: T0,
    ...overrides,
  };
}

function patch(
  provider: string,
  id: string,
  stage: number,
  fields: RecordPatch["fields"],
  data?: Record<string, unknown>,
  extra: Partial<RecordPatch> = {},
): RecordPatch {
  return {
    kind: "call",
    provider,
    id,
    orgId: null,
    eventType: `stage_${stage}`,
    version: recordVersion(stage, 0, `stage_${stage}:${id}`),
    fields,
    ...(data && { data }),
    ...extra,
  };
}

/** What must be equal between two merged records (timestamps are the storage's own). */
function comparable(record: StoredRecord<object> | null) {
  if (!record) return record;
  return {
    kind: record.kind,
    provider: record.provider,
    id: record.id,
    orgId: record.orgId,
    fields: record.fields,
    data: record.data,
    versions: record.versions,
    eventTypes: record.eventTypes,
  };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/**
 * The behaviour every `WebhookStorage` must have. Run it from your storage's tests:
 *
 * ```ts
 * import { describeStorageConformance } from "@callhooks/webhook-core/testing";
 * describeStorageConformance("my storage", { create: () => createMyStorage() });
 * ```
 */
export function describeStorageConformance(name: string, options: StorageConformanceOptions): void {
  describe(`WebhookStorage conformance: ${name}`, () => {
    let storage: WebhookStorage;
    beforeAll(async () => {
      storage = await options.create();
    });
    afterAll(async () => {
      if (storage) await options.destroy?.(storage);
    });

    describe("claims", () => {
      it("claims a new event under a lease and counts the attempt", async () => {
        const p = uniqueProvider();
        const result = await storage.claim(request(p, "k1"));
        expect(result.outcome).toBe("claimed");
        if (result.outcome !== "claimed") return;
        expect(result.leaseToken).toEqual(expect.any(String));
        expect(result.event).toMatchObject({
          provider: p,
          key: "k1",
          type: "call_ended",
          callId: "call_1",
          status: "processing",
          attempts: 1,
          receivedAt: T0,
          leaseExpiresAt: T0 + LEASE,
        });
        const stored = await storage.getEvent(result.event.id);
        expect(stored?.payload).toEqual(request(p, "k1").event.payload);
      });

      it("answers in_flight while the lease is live, and lets it be taken over once it lapses", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k"));
        expect((await storage.claim(request(p, "k", { now: T0 + LEASE - 1 }))).outcome).toBe("in_flight");
        const takeover = await storage.claim(request(p, "k", { now: T0 + LEASE }));
        expect(takeover.outcome).toBe("claimed");
        if (first.outcome !== "claimed" || takeover.outcome !== "claimed") return;
        expect(takeover.event.attempts).toBe(2);
        expect(takeover.leaseToken).not.toBe(first.leaseToken);
        // The first holder's lease is gone: it can no longer complete or fail the event.
        expect(await storage.complete({ id: first.event.id, leaseToken: first.leaseToken as string }, { now: T0 + LEASE + 1 })).toBe(false);
        expect(
          await storage.fail(
            { id: first.event.id, leaseToken: first.leaseToken as string },
            { error: "x", retryAt: null, now: T0 + LEASE + 1 },
          ),
        ).toBe(false);
        expect(await storage.complete({ id: takeover.event.id, leaseToken: takeover.leaseToken as string }, { now: T0 + LEASE + 2 })).toBe(
          true,
        );
      });

      it("answers duplicate once processed, with the stored response", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k"));
        if (first.outcome !== "claimed") throw new Error("not claimed");
        const response = { call_inbound: { override_agent_id: "agent_x", dynamic_variables: { name: "Zoë" } } };
        expect(await storage.complete({ id: first.event.id, leaseToken: first.leaseToken as string }, { response, now: T0 + 5 })).toBe(
          true,
        );
        const again = await storage.claim(request(p, "k", { now: T0 + 10 }));
        expect(again.outcome).toBe("duplicate");
        expect(again.event).toMatchObject({ status: "processed", attempts: 1, processedAt: T0 + 5, response });
        expect(again.event.id).toBe(first.event.id);
      });

      it("claims a failed event again (a provider retry) and counts the attempt", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k"));
        if (first.outcome !== "claimed") throw new Error("not claimed");
        expect(
          await storage.fail(
            { id: first.event.id, leaseToken: first.leaseToken as string },
            { error: "boom", retryAt: T0 + 1000, now: T0 + 1 },
          ),
        ).toBe(true);
        const failed = await storage.getEvent(first.event.id);
        expect(failed).toMatchObject({ status: "failed", lastError: "boom", nextAttemptAt: T0 + 1000, leaseExpiresAt: null });
        const retry = await storage.claim(request(p, "k", { now: T0 + 2 }));
        expect(retry.outcome).toBe("claimed");
        expect(retry.event).toMatchObject({ status: "processing", attempts: 2 });
      });

      it("marks an event dead when fail gives no retry time, and still lets the provider retry it", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k"));
        if (first.outcome !== "claimed") throw new Error("not claimed");
        await storage.fail(
          { id: first.event.id, leaseToken: first.leaseToken as string },
          { error: "gave up", retryAt: null, now: T0 + 1 },
        );
        expect(await storage.getEvent(first.event.id)).toMatchObject({ status: "dead", lastError: "gave up", nextAttemptAt: null });
        expect((await storage.claim(request(p, "k", { now: T0 + 2 }))).outcome).toBe("claimed");
      });

      it("mode complete records the event as processed in one step", async () => {
        const p = uniqueProvider();
        const result = await storage.claim(request(p, "k", { mode: "complete" }));
        expect(result.outcome).toBe("claimed");
        expect(result.event).toMatchObject({ status: "processed", attempts: 1, processedAt: T0, leaseExpiresAt: null });
        expect((await storage.claim(request(p, "k", { now: T0 + 1 }))).outcome).toBe("duplicate");
      });

      it("mode pending records the event for workers without a lease", async () => {
        const p = uniqueProvider();
        const result = await storage.claim(request(p, "k", { mode: "pending" }));
        expect(result.outcome).toBe("claimed");
        expect(result.event).toMatchObject({ status: "pending", attempts: 0, leaseExpiresAt: null });
        if (result.outcome === "claimed") expect(result.leaseToken).toBeNull();
      });

      it(`lets exactly one of ${options.concurrency ?? 50} concurrent claims of one key win`, async () => {
        const p = uniqueProvider();
        const n = options.concurrency ?? 50;
        const results = await Promise.all(Array.from({ length: n }, () => storage.claim(request(p, "same"))));
        expect(results.filter((r) => r.outcome === "claimed")).toHaveLength(1);
        expect(results.filter((r) => r.outcome === "in_flight")).toHaveLength(n - 1);
        expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
        expect((await storage.countEvents({ provider: p })).processing).toBe(1);
      });

      it("keeps events of different providers with the same key apart", async () => {
        const p1 = uniqueProvider();
        const p2 = uniqueProvider();
        const a = await storage.claim(request(p1, "shared"));
        const b = await storage.claim(request(p2, "shared"));
        expect(a.outcome).toBe("claimed");
        expect(b.outcome).toBe("claimed");
        expect(a.event.id).not.toBe(b.event.id);
      });
    });

    describe("quarantine", () => {
      const reasons = {
        reason: 'Invalid Retell "call_ended" payload: call.call_cost: Required',
        issues: [{ path: "call.call_cost", message: "Required" }],
      };

      it("keeps a quarantined delivery with its reasons, never runs it, and counts and lists it", async () => {
        const p = uniqueProvider();
        const kept = await storage.claim(
          request(p, "q", { mode: "quarantine", quarantine: reasons }, [patch(p, "qc", 40, { status: "ended" })]),
        );
        expect(kept.outcome).toBe("claimed");
        if (kept.outcome !== "claimed") return;
        expect(kept.leaseToken).toBeNull();
        expect(kept.event).toMatchObject({
          status: "quarantined",
          attempts: 0,
          lastError: reasons.reason,
          issues: reasons.issues,
          leaseExpiresAt: null,
        });
        const stored = await storage.getEvent(kept.event.id);
        expect(stored).toMatchObject({ status: "quarantined", issues: reasons.issues });
        expect(stored?.payload).toEqual(request(p, "q").event.payload);
        // Nothing it says was merged into a record.
        expect(await storage.getCall(p, "qc")).toBeNull();
        expect((await storage.countEvents({ provider: p })).quarantined).toBe(1);
        expect((await storage.listEvents({ provider: p, status: "quarantined" })).map((e) => e.id)).toEqual([kept.event.id]);
        // Workers and requeues leave it alone: only a handler can parse it again.
        expect(await storage.claimDue({ limit: 10, leaseMs: LEASE, now: T0 + 10 * LEASE, providers: [p] })).toEqual([]);
        expect(await storage.requeue([kept.event.id], T0 + 1)).toBe(0);
        expect((await storage.getEvent(kept.event.id))?.status).toBe("quarantined");
      });

      it("answers duplicate to a second quarantine of the same event, and changes nothing", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "q", { mode: "quarantine", quarantine: reasons }));
        const again = await storage.claim(
          request(p, "q", { mode: "quarantine", quarantine: { reason: "other", issues: [] }, now: T0 + 5 }),
        );
        expect(again.outcome).toBe("duplicate");
        expect(again.event).toMatchObject({ id: first.event.id, status: "quarantined", lastError: reasons.reason, attempts: 0 });
      });

      it("never changes an existing event when asked to quarantine it, whatever its status", async () => {
        const p = uniqueProvider();
        const live = await storage.claim(request(p, "live"));
        const done = await storage.claim(request(p, "done", { mode: "complete" }));
        for (const [key, status] of [
          ["live", "processing"],
          ["done", "processed"],
        ] as const) {
          const q = await storage.claim(request(p, key, { mode: "quarantine", quarantine: reasons, now: T0 + 1 }));
          expect(q.outcome).toBe("duplicate");
          expect(q.event.status).toBe(status);
        }
        expect([live.outcome, done.outcome]).toEqual(["claimed", "claimed"]);
      });

      it("lets a delivery that now parses take a quarantined event over: described anew, records merged, quarantine over", async () => {
        const p = uniqueProvider();
        const q = await storage.claim(
          request(p, "q", { mode: "quarantine", quarantine: reasons, event: { ...request(p, "q").event, type: "unknown", callId: null } }),
        );
        const valid = await storage.claim(request(p, "q", { now: T0 + 100 }, [patch(p, "c9", 40, { status: "ended" })]));
        expect(valid.outcome).toBe("claimed");
        if (valid.outcome !== "claimed") return;
        expect(valid.event).toMatchObject({
          id: q.event.id,
          status: "processing",
          attempts: 1,
          type: "call_ended",
          callId: "call_1",
          issues: null,
          lastError: null,
        });
        expect((await storage.getCall(p, "c9"))?.fields.status).toBe("ended");
        expect(
          await storage.complete({ id: valid.event.id, leaseToken: valid.leaseToken as string }, { now: T0 + 101, durationMs: 7 }),
        ).toBe(true);
        expect(await storage.getEvent(valid.event.id)).toMatchObject({ status: "processed", issues: null, durationMs: 7 });
      });

      it("quarantines a claimed event whose stored body no longer parses (fail with reasons)", async () => {
        const p = uniqueProvider();
        const claim = await storage.claim(request(p, "k"));
        if (claim.outcome !== "claimed") throw new Error("not claimed");
        const lease = { id: claim.event.id, leaseToken: claim.leaseToken as string };
        expect(await storage.fail(lease, { error: reasons.reason, retryAt: null, quarantine: reasons, now: T0 + 1 })).toBe(true);
        expect(await storage.getEvent(claim.event.id)).toMatchObject({
          status: "quarantined",
          issues: reasons.issues,
          lastError: reasons.reason,
          nextAttemptAt: null,
        });
      });
    });

    describe("leases", () => {
      it("extendLease keeps a live processor's event from being taken over, for its holder only", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k"));
        if (first.outcome !== "claimed") throw new Error("not claimed");
        const lease = { id: first.event.id, leaseToken: first.leaseToken as string };
        expect(await storage.extendLease(lease, { leaseMs: LEASE, now: T0 + 20_000 })).toBe(true);
        expect((await storage.getEvent(lease.id))?.leaseExpiresAt).toBe(T0 + 20_000 + LEASE);
        // Past the first expiry, but renewed: neither a delivery nor a worker may take it.
        expect((await storage.claim(request(p, "k", { now: T0 + LEASE + 1 }))).outcome).toBe("in_flight");
        expect(await storage.claimDue({ limit: 5, leaseMs: LEASE, now: T0 + LEASE + 1, providers: [p] })).toEqual([]);
        expect(
          await storage.extendLease(
            { id: lease.id, leaseToken: "00000000-0000-4000-8000-000000000000" },
            { leaseMs: LEASE, now: T0 + 21_000 },
          ),
        ).toBe(false);
        // Once it lapses unrenewed, another processor takes it, and the first can renew no more.
        const takeover = await storage.claim(request(p, "k", { now: T0 + 20_000 + LEASE }));
        expect(takeover.outcome).toBe("claimed");
        expect(await storage.extendLease(lease, { leaseMs: LEASE, now: T0 + 20_001 + LEASE })).toBe(false);
        if (takeover.outcome !== "claimed") return;
        const second = { id: takeover.event.id, leaseToken: takeover.leaseToken as string };
        expect(await storage.complete(second, { now: T0 + 20_002 + LEASE })).toBe(true);
        expect(await storage.extendLease(second, { leaseMs: LEASE, now: T0 + 20_003 + LEASE })).toBe(false);
      });

      it("lets the holder renew and complete a lease that lapsed but that nobody took", async () => {
        const p = uniqueProvider();
        const claim = await storage.claim(request(p, "k"));
        if (claim.outcome !== "claimed") throw new Error("not claimed");
        const lease = { id: claim.event.id, leaseToken: claim.leaseToken as string };
        expect(await storage.extendLease(lease, { leaseMs: LEASE, now: T0 + LEASE + 5 })).toBe(true);
        expect((await storage.claim(request(p, "k", { now: T0 + LEASE + 6 }))).outcome).toBe("in_flight");
        expect(await storage.complete(lease, { now: T0 + LEASE + 7 })).toBe(true);
      });

      it("ends an event dead at maxAttempts when its processors keep stopping, and still lets a replay run it once more", async () => {
        const p = uniqueProvider();
        const max = { maxAttempts: 2 };
        expect((await storage.claim(request(p, "k", max))).outcome).toBe("claimed"); // attempt 1, then its processor stops
        const second = await storage.claim(request(p, "k", { ...max, now: T0 + LEASE }));
        expect(second.outcome).toBe("claimed"); // attempt 2, stops too
        const third = await storage.claim(request(p, "k", { ...max, now: T0 + 2 * LEASE }));
        expect(third.outcome).toBe("dead");
        expect(third.event).toMatchObject({ status: "dead", attempts: 2, leaseExpiresAt: null });
        expect(third.event.lastError).toMatch(/stopped renewing its lease/);
        expect((await storage.claim(request(p, "k", { ...max, now: T0 + 3 * LEASE }))).outcome).toBe("dead");
        // Without the cap (a storage's own callers), and after a requeue (a replay), it runs again.
        expect(await storage.requeue([third.event.id], T0 + 3 * LEASE)).toBe(1);
        const replay = await storage.claim(request(p, "k", { ...max, now: T0 + 3 * LEASE + 1 }));
        expect(replay.outcome).toBe("claimed");
        expect(replay.event.attempts).toBe(3);
      });

      it("claimDue marks due events at maxAttempts dead instead of handing them out", async () => {
        const p = uniqueProvider();
        const lapsed = await storage.claim(request(p, "lapsed", { event: { ...request(p, "lapsed").event, receivedAt: T0 } }));
        const failed = await storage.claim(request(p, "failed", { event: { ...request(p, "failed").event, receivedAt: T0 + 1 } }));
        await storage.claim(request(p, "fresh", { mode: "pending", event: { ...request(p, "fresh").event, receivedAt: T0 + 2 } }));
        if (failed.outcome !== "claimed") throw new Error("not claimed");
        await storage.fail(
          { id: failed.event.id, leaseToken: failed.leaseToken as string },
          { error: "boom", retryAt: T0 + 5, now: T0 + 1 },
        );
        const due = await storage.claimDue({ limit: 10, leaseMs: LEASE, now: T0 + LEASE + 10, providers: [p], maxAttempts: 1 });
        expect(due.map((d) => d.event.key)).toEqual(["fresh"]);
        expect(await storage.getEvent(lapsed.event.id)).toMatchObject({
          status: "dead",
          lastError: expect.stringMatching(/stopped renewing/),
        });
        expect(await storage.getEvent(failed.event.id)).toMatchObject({ status: "dead", lastError: "boom" });
      });

      it("keeps how long a run's handler took", async () => {
        const p = uniqueProvider();
        const ok = await storage.claim(request(p, "ok"));
        const bad = await storage.claim(request(p, "bad"));
        if (ok.outcome !== "claimed" || bad.outcome !== "claimed") throw new Error("not claimed");
        await storage.complete({ id: ok.event.id, leaseToken: ok.leaseToken as string }, { now: T0 + 1, durationMs: 1234 });
        await storage.fail(
          { id: bad.event.id, leaseToken: bad.leaseToken as string },
          { error: "x", retryAt: T0 + 9, now: T0 + 1, durationMs: 56 },
        );
        expect((await storage.getEvent(ok.event.id))?.durationMs).toBe(1234);
        expect((await storage.getEvent(bad.event.id))?.durationMs).toBe(56);
      });
    });

    describe("tenants", () => {
      const tenant = (p: string, key: string, orgId: string | null, extra: Partial<ClaimRequest> = {}, records: RecordPatch[] = []) => {
        const base = request(p, key);
        return request(p, key, { ...extra, event: { ...base.event, orgId, ...extra.event } }, records);
      };

      it("keeps two tenants' events with the same provider key apart: neither is a duplicate of the other", async () => {
        const p = uniqueProvider();
        const acme = await storage.claim(tenant(p, "EventType:guid-1", "acme"));
        if (acme.outcome !== "claimed") throw new Error("not claimed");
        await storage.complete({ id: acme.event.id, leaseToken: acme.leaseToken as string }, { now: T0 + 1 });
        const globex = await storage.claim(tenant(p, "EventType:guid-1", "globex", { now: T0 + 2 }));
        expect(globex.outcome).toBe("claimed");
        expect(globex.event.id).not.toBe(acme.event.id);
        expect(globex.event.orgId).toBe("globex");
        const untenanted = await storage.claim(tenant(p, "EventType:guid-1", null, { now: T0 + 3 }));
        expect(untenanted.outcome).toBe("claimed");
        // Each tenant's own duplicate is still caught.
        expect((await storage.claim(tenant(p, "EventType:guid-1", "acme", { now: T0 + 4 }))).outcome).toBe("duplicate");
        expect((await storage.claim(tenant(p, "EventType:guid-1", "globex", { now: T0 + 4 }))).outcome).toBe("in_flight");
        expect((await storage.listEvents({ provider: p, orgId: "acme" })).map((e) => e.id)).toEqual([acme.event.id]);
      });

      it("keeps two tenants' records with the same id apart: one never reads or writes the other's", async () => {
        const p = uniqueProvider();
        await storage.claim(
          tenant(p, "a1", "acme", { mode: "complete" }, [
            patch(p, "call-x", 10, { from: "+1acme" }, { who: "acme" }, { orgId: "acme", eventType: "a" }),
          ]),
        );
        await storage.claim(
          tenant(p, "b1", "globex", { mode: "complete", now: T0 + 1 }, [
            patch(p, "call-x", 40, { from: "+1globex", status: "ended" }, { who: "globex" }, { orgId: "globex", eventType: "b" }),
          ]),
        );
        const acme = await storage.getCall(p, "call-x", "acme");
        const globex = await storage.getCall(p, "call-x", "globex");
        expect(acme).toMatchObject({ orgId: "acme", fields: { from: "+1acme" }, data: { who: "acme" }, eventTypes: ["a"] });
        // Globex's later, higher-stage patch set nothing on Acme's record.
        expect(acme?.fields.status).not.toBe("ended");
        expect(globex).toMatchObject({
          orgId: "globex",
          fields: { from: "+1globex", status: "ended" },
          data: { who: "globex" },
          eventTypes: ["b"],
        });
        expect(await storage.getCall(p, "call-x", null)).toBeNull();
        expect(await storage.getRecord("call", p, "call-x", "initech")).toBeNull();
        // Without an orgId: some tenant's record of that id (single-tenant set-ups).
        expect(["acme", "globex"]).toContain((await storage.getCall(p, "call-x"))?.orgId);
      });
    });

    describe("races", () => {
      it(`hands a due event (failed, or under a lapsed lease) to exactly one of many concurrent claimers, ${options.raceRounds ?? 150} rounds`, async () => {
        const p = uniqueProvider();
        const rounds = options.raceRounds ?? 150;
        const claimers = 30;
        for (let round = 0; round < rounds; round++) {
          const key = `race-${round}`;
          const first = await storage.claim(request(p, key));
          if (first.outcome !== "claimed") throw new Error("not claimed");
          let now = T0 + LEASE; // a lapsed lease…
          if (round % 2 === 0) {
            // …or a failed event, due again
            await storage.fail(
              { id: first.event.id, leaseToken: first.leaseToken as string },
              { error: "boom", retryAt: T0 + 1, now: T0 + 1 },
            );
            now = T0 + 2;
          }
          // Deliveries and workers race for it alike.
          const results = await Promise.all(
            Array.from({ length: claimers }, (_, i) =>
              i % 3 === 2
                ? storage.claimDue({ limit: 1, leaseMs: LEASE, now, providers: [p] }).then((batch) => batch.length)
                : storage.claim(request(p, key, { now })).then((r) => (r.outcome === "claimed" ? 1 : 0)),
            ),
          );
          // (Each winner's lease outlives every later round's clock, so no round sees another's event.)
          const winners = results.reduce((sum, n) => sum + n, 0);
          if (winners !== 1) expect.fail(`round ${round}: ${winners} claimers took the same event`);
        }
      });
    });

    describe("workers", () => {
      it("claimDue takes pending, due failed and lapsed events, oldest first, each once", async () => {
        const p = uniqueProvider();
        const pending = await storage.claim(
          request(p, "pending", { mode: "pending", event: { ...request(p, "pending").event, receivedAt: T0 + 3 } }),
        );
        const failedLater = await storage.claim(
          request(p, "failed-later", { event: { ...request(p, "failed-later").event, receivedAt: T0 + 1 } }),
        );
        const failedDue = await storage.claim(
          request(p, "failed-due", { event: { ...request(p, "failed-due").event, receivedAt: T0 + 2 } }),
        );
        await storage.claim(request(p, "lapsed", { event: { ...request(p, "lapsed").event, receivedAt: T0 + 4 } }));
        const done = await storage.claim(request(p, "done", { mode: "complete" }));
        for (const [r, retryAt] of [
          [failedLater, T0 + 999_999],
          [failedDue, T0 + 10],
        ] as const) {
          if (r.outcome !== "claimed") throw new Error("not claimed");
          await storage.fail({ id: r.event.id, leaseToken: r.leaseToken as string }, { error: "e", retryAt, now: T0 + 5 });
        }
        expect(done.outcome).toBe("claimed");
        const now = T0 + LEASE + 100; // past the lease of "lapsed"
        const claimed = await storage.claimDue({ limit: 10, leaseMs: LEASE, now, providers: [p] });
        expect(claimed.map((c) => c.event.key)).toEqual(["failed-due", "pending", "lapsed"]);
        for (const c of claimed) {
          expect(c.event.status).toBe("processing");
          expect(c.event.leaseExpiresAt).toBe(now + LEASE);
          expect(c.leaseToken).toEqual(expect.any(String));
        }
        expect(claimed.find((c) => c.event.key === "pending")?.event.attempts).toBe(1);
        expect(claimed.find((c) => c.event.key === "lapsed")?.event.attempts).toBe(2);
        expect(await storage.claimDue({ limit: 10, leaseMs: LEASE, now, providers: [p] })).toEqual([]);
        expect(pending.outcome).toBe("claimed");
      });

      it("claimDue honours limit and providers, and never hands one event to two concurrent callers", async () => {
        const p = uniqueProvider();
        const other = uniqueProvider();
        for (let i = 0; i < 12; i++) {
          await storage.claim(request(p, `e${i}`, { mode: "pending", event: { ...request(p, `e${i}`).event, receivedAt: T0 + i } }));
        }
        await storage.claim(request(other, "x", { mode: "pending" }));
        const limited = await storage.claimDue({ limit: 2, leaseMs: LEASE, now: T0 + 100, providers: [p] });
        expect(limited.map((c) => c.event.key)).toEqual(["e0", "e1"]);
        const racing = await Promise.all(
          Array.from({ length: 4 }, () => storage.claimDue({ limit: 5, leaseMs: LEASE, now: T0 + 200, providers: [p] })),
        );
        const keys = racing.flat().map((c) => c.event.key);
        expect(keys).toHaveLength(10);
        expect(new Set(keys).size).toBe(10);
        expect((await storage.countEvents({ provider: other })).pending).toBe(1);
      });

      it("requeue puts finished events back to pending, but not one under a live lease", async () => {
        const p = uniqueProvider();
        const done = await storage.claim(request(p, "done", { mode: "complete" }));
        const live = await storage.claim(request(p, "live"));
        const n = await storage.requeue([done.event.id, live.event.id, "00000000-0000-4000-8000-000000000000"], T0 + 10);
        expect(n).toBe(1);
        expect(await storage.getEvent(done.event.id)).toMatchObject({ status: "pending", nextAttemptAt: T0 + 10 });
        expect((await storage.getEvent(live.event.id))?.status).toBe("processing");
        const due = await storage.claimDue({ limit: 5, leaseMs: LEASE, now: T0 + 20, providers: [p] });
        expect(due.map((d) => d.event.id)).toEqual([done.event.id]);
        expect(due[0]?.event.attempts).toBe(2);
      });
    });

    describe("queries", () => {
      it("lists events newest first, filtered by status, type, call, time range and limit", async () => {
        const p = uniqueProvider();
        const base = request(p, "x").event;
        const mk = (key: string, type: string, callId: string, receivedAt: number, mode: ClaimRequest["mode"]) =>
          storage.claim(request(p, key, { mode, event: { ...base, key, type, callId, receivedAt } }));
        await mk("a", "call_started", "c1", T0 + 1, "complete");
        await mk("b", "call_ended", "c1", T0 + 2, "complete");
        await mk("c", "call_ended", "c2", T0 + 3, "pending");
        await mk("d", "call_analyzed", "c2", T0 + 4, "lease");
        const keys = async (filter: Parameters<WebhookStorage["listEvents"]>[0]) =>
          (await storage.listEvents({ provider: p, ...filter })).map((e) => e.key);
        expect(await keys({})).toEqual(["d", "c", "b", "a"]);
        expect(await keys({ status: "processed" })).toEqual(["b", "a"]);
        expect(await keys({ status: ["pending", "processing"] })).toEqual(["d", "c"]);
        expect(await keys({ type: "call_ended" })).toEqual(["c", "b"]);
        expect(await keys({ type: ["call_started", "call_analyzed"] })).toEqual(["d", "a"]);
        expect(await keys({ callId: "c1" })).toEqual(["b", "a"]);
        expect(await keys({ since: T0 + 2, until: T0 + 4 })).toEqual(["c", "b"]);
        expect(await keys({ limit: 1 })).toEqual(["d"]);
        expect(await storage.countEvents({ provider: p })).toEqual({
          pending: 1,
          processing: 1,
          processed: 2,
          failed: 0,
          dead: 0,
          quarantined: 0,
        });
      });

      it("pages newest first in one total order (receivedAt desc, id desc), nothing skipped or repeated", async () => {
        const p = uniqueProvider();
        const base = request(p, "x").event;
        // Three share a millisecond: only the id can order them, and a page boundary falls among them.
        const times = [T0 + 5, T0 + 3, T0 + 3, T0 + 3, T0 + 2, T0 + 1, T0 + 1];
        for (const [i, receivedAt] of times.entries()) {
          await storage.claim(request(p, `k${i}`, { mode: "complete", event: { ...base, key: `k${i}`, receivedAt } }));
        }
        const all = await storage.listEvents({ provider: p });
        expect(all.map((e) => e.receivedAt)).toEqual([...times].sort((a, b) => b - a));
        for (let i = 1; i < all.length; i++) {
          const [newer, older] = [all[i - 1], all[i]] as [StoredEvent, StoredEvent];
          if (newer.receivedAt === older.receivedAt) expect(newer.id > older.id).toBe(true);
        }
        const paged: string[] = [];
        let before: EventCursor | undefined;
        for (let page = 0; page < 5; page++) {
          const events = await storage.listEvents({ provider: p, limit: 2, ...(before && { before }) });
          paged.push(...events.map((e) => e.id));
          const last = events.at(-1);
          if (!last) break;
          before = { receivedAt: last.receivedAt, id: last.id };
        }
        expect(paged).toEqual(all.map((e) => e.id));
        // A cursor with filters: the next processed events older than the second one.
        const second = all[1] as StoredEvent;
        expect((await storage.listEvents({ provider: p, status: "processed", before: second })).map((e) => e.id)).toEqual(
          all.slice(2).map((e) => e.id),
        );
      });

      it("lists without bodies when asked (withPayload: false), everything else as usual", async () => {
        const p = uniqueProvider();
        const claimed = await storage.claim(request(p, "k"));
        if (claimed.outcome !== "claimed") throw new Error("not claimed");
        await storage.complete(
          { id: claimed.event.id, leaseToken: claimed.leaseToken as string },
          { response: { answer: 42 }, durationMs: 7, now: T0 + 1 },
        );
        const [full] = await storage.listEvents({ provider: p });
        const [light] = await storage.listEvents({ provider: p, withPayload: false });
        expect(full?.payload).toEqual(request(p, "k").event.payload);
        expect(full?.response).toEqual({ answer: 42 });
        expect(light).toEqual({ ...full, payload: null, response: null });
      });

      it("counts per status under the same filters as the list: type, call, organisation, time range, status", async () => {
        const p = uniqueProvider();
        const base = request(p, "x").event;
        const mk = (key: string, type: string, callId: string, orgId: string | null, receivedAt: number, mode: ClaimRequest["mode"]) =>
          storage.claim(request(p, key, { mode, event: { ...base, key, type, callId, orgId, receivedAt } }));
        await mk("a", "call_started", "c1", "org-a", T0 + 1, "complete");
        await mk("b", "call_ended", "c1", "org-a", T0 + 2, "pending");
        await mk("c", "call_ended", "c2", "org-b", T0 + 3, "complete");
        await mk("d", "call_analyzed", "c2", null, T0 + 4, "lease");
        const none = { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0, quarantined: 0 };
        const count = (filter: EventSelection) => storage.countEvents({ provider: p, ...filter });
        expect(await count({})).toEqual({ ...none, pending: 1, processing: 1, processed: 2 });
        expect(await count({ type: "call_ended" })).toEqual({ ...none, pending: 1, processed: 1 });
        expect(await count({ type: ["call_started", "call_analyzed"] })).toEqual({ ...none, processing: 1, processed: 1 });
        expect(await count({ callId: "c1" })).toEqual({ ...none, pending: 1, processed: 1 });
        expect(await count({ orgId: "org-b" })).toEqual({ ...none, processed: 1 });
        expect(await count({ since: T0 + 2, until: T0 + 4 })).toEqual({ ...none, pending: 1, processed: 1 });
        expect(await count({ status: ["processed", "processing"] })).toEqual({ ...none, processing: 1, processed: 2 });
        expect(await count({ callId: "nope" })).toEqual(none);
      });

      it("summarises events per time bucket by status, and handler-duration percentiles (eventStats, if the storage has it)", async ({
        skip,
      }) => {
        if (!storage.eventStats) return skip("this storage has no eventStats (optional)");
        const p = uniqueProvider();
        const base = request(p, "x").event;
        const minute = 60_000;
        // Minute 0: two processed (10 and 20 ms) and one failed (30 ms); minute 2: one processed (40 ms),
        // one quarantined; and one event outside the range.
        const runs: Array<[string, number, "processed" | "failed", number]> = [
          ["a", T0 + 1_000, "processed", 10],
          ["b", T0 + 59_999, "processed", 20],
          ["c", T0 + 30_000, "failed", 30],
          ["d", T0 + 2 * minute + 5, "processed", 40],
          ["late", T0 + 10 * minute, "processed", 1_000],
        ];
        for (const [key, receivedAt, outcome, durationMs] of runs) {
          const claimed = await storage.claim(request(p, key, { event: { ...base, key, receivedAt }, now: receivedAt }));
          if (claimed.outcome !== "claimed") throw new Error("not claimed");
          const lease = { id: claimed.event.id, leaseToken: claimed.leaseToken as string };
          if (outcome === "processed") await storage.complete(lease, { durationMs, now: receivedAt + durationMs });
          else await storage.fail(lease, { error: "boom", retryAt: receivedAt + minute, durationMs, now: receivedAt + durationMs });
        }
        await storage.claim(
          request(p, "q", {
            mode: "quarantine",
            quarantine: { reason: "invalid", issues: [] },
            event: { ...base, key: "q", receivedAt: T0 + 2 * minute + 9 },
          }),
        );
        const stats = await storage.eventStats({ provider: p, since: T0, until: T0 + 3 * minute, bucketMs: minute });
        const counts = stats.buckets.map((bucket) => ({
          start: bucket.start,
          counts: Object.fromEntries(Object.entries(bucket.counts).filter(([, n]) => n)),
        }));
        expect(counts).toEqual([
          { start: T0, counts: { processed: 2, failed: 1 } },
          { start: T0 + 2 * minute, counts: { processed: 1, quarantined: 1 } },
        ]);
        // Continuous percentiles of 10, 20, 30, 40.
        expect(stats.durations).toEqual({
          count: 4,
          p50: expect.closeTo(25, 6),
          p90: expect.closeTo(37, 6),
          p95: expect.closeTo(38.5, 6),
          p99: expect.closeTo(39.7, 6),
          max: 40,
        });
        const failedOnly = await storage.eventStats({ provider: p, status: "failed", since: T0, until: T0 + 3 * minute, bucketMs: minute });
        expect(failedOnly.durations).toMatchObject({ count: 1, p50: 30, max: 30 });
        const empty = await storage.eventStats({ provider: p, since: T0 - minute, until: T0, bucketMs: minute });
        expect(empty).toEqual({ buckets: [], durations: { count: 0, p50: null, p90: null, p95: null, p99: null, max: null } });
      });

      it("returns null for what it does not have", async () => {
        expect(await storage.getEvent("00000000-0000-4000-8000-000000000000")).toBeNull();
        expect(await storage.getCall(uniqueProvider(), "nope")).toBeNull();
        expect(await storage.getRecord("message", uniqueProvider(), "nope")).toBeNull();
      });
    });

    describe("records", () => {
      it("merges records with the claim, and not for a duplicate or an in-flight delivery", async () => {
        const p = uniqueProvider();
        const first = await storage.claim(request(p, "k", {}, [patch(p, "c1", 10, { status: "ongoing", from: "+1" })]));
        await storage.claim(request(p, "k", { now: T0 + 1 }, [patch(p, "c1", 40, { status: "ended" })]));
        expect((await storage.getCall(p, "c1"))?.fields).toMatchObject({ status: "ongoing", from: "+1" });
        if (first.outcome !== "claimed") throw new Error("not claimed");
        await storage.complete({ id: first.event.id, leaseToken: first.leaseToken as string }, { now: T0 + 2 });
        await storage.claim(request(p, "k", { now: T0 + 3 }, [patch(p, "c1", 40, { status: "ended" })]));
        expect((await storage.getCall(p, "c1"))?.fields.status).toBe("ongoing");
      });

      it("gives the same record as the reference merge, whatever the order of the patches", async () => {
        const p = uniqueProvider();
        const patches = [
          patch(
            p,
            "x",
            10,
            { status: "ongoing", from: "+14155550100", startedAt: T0 },
            { call_status: "ongoing", agent_name: "A" },
            { orgId: "org-1" },
          ),
          patch(
            p,
            "x",
            40,
            { status: "ended", endedAt: T0 + 95_000, durationMs: 95_000, transcript: "Hi ¿qué?", recordingUrl: null },
            { call_status: "ended", transcript_object: [{ role: "agent", content: "Hi" }], agent_name: null },
            { orgId: "org-1" },
          ),
          patch(
            p,
            "x",
            50,
            { status: "ended", summary: "Booked.", successful: true, costCents: 11.5 },
            { call_status: "ended", call_analysis: { call_summary: "Booked." } },
            { orgId: "org-1" },
          ),
          patch(
            p,
            "x",
            20,
            { status: "ongoing", transcript: "Hi" },
            { call_status: "ongoing", transcript_object: [] },
            { version: recordVersion(20, 2, "tu:x:2"), orgId: "org-1" },
          ),
        ];
        let expected: StoredRecord | null = null;
        for (const pt of patches) expected = mergeRecord(expected, pt, T0);
        const orders = permutations(patches.map((_, i) => i));
        for (const [n, order] of orders.entries()) {
          const id = `x${n}`;
          for (const [i, index] of order.entries()) {
            const pt = patches[index] as RecordPatch;
            await storage.claim(request(p, `${id}:${index}`, { mode: "complete", now: T0 + i }, [{ ...pt, id }]));
          }
          const record = await storage.getCall(p, id);
          expect(comparable(record)).toEqual({ ...comparable(expected), id });
        }
        expect(expected?.fields).toMatchObject({
          status: "ended",
          from: "+14155550100",
          transcript: "Hi ¿qué?",
          summary: "Booked.",
          durationMs: 95_000,
        });
        expect(expected?.data).toMatchObject({ agent_name: "A", call_analysis: { call_summary: "Booked." } });
        expect(expected?.orgId).toBe("org-1");
        expect(expected?.eventTypes).toEqual(["stage_10", "stage_20", "stage_40", "stage_50"]);
      });

      it("derives a call's status and talk time when no event states them", async () => {
        const p = uniqueProvider();
        const rang = patch(p, "m", 10, { startedAt: T0, direction: "inbound" });
        const connected = patch(p, "m", 30, { connectedAt: T0 + 5_000 });
        const completed = patch(p, "m", 40, { endedAt: T0 + 65_000 });
        const apply = async (id: string, list: RecordPatch[]) => {
          for (const [i, pt] of list.entries()) {
            await storage.claim(request(p, `${id}:${pt.eventType}`, { mode: "complete", now: T0 + i }, [{ ...pt, id }]));
          }
          return (await storage.getCall(p, id))?.fields;
        };
        expect(await apply("ringing", [rang])).toMatchObject({ status: "ringing" });
        expect(await apply("live", [rang, connected])).toMatchObject({ status: "in_progress" });
        expect(await apply("missed", [completed, rang])).toMatchObject({ status: "missed", durationMs: 0 });
        expect(await apply("answered", [completed, rang, connected])).toMatchObject({ status: "completed", durationMs: 60_000 });
        const stated = await apply("stated", [completed, connected, patch(p, "m", 45, { status: "voicemail", durationMs: 12_000 })]);
        expect(stated).toMatchObject({ status: "voicemail", durationMs: 12_000 });
      });

      it("gives the same records when the claim carries the payload's exact text (payloadTextExact)", async () => {
        const p = uniqueProvider();
        // Each event's record data is its payload's `call` or the payload itself, as the providers'
        // patches make it: a storage may keep it as a reference into the text.
        const events = [10, 20, 40, 50].map((stage) => {
          const call = {
            call_id: "t",
            call_status: stage < 40 ? "ongoing" : "ended",
            // Short and long (tens of kilobytes): a storage may keep large and small bodies differently.
            transcript_object: Array.from({ length: stage >= 40 ? 40 * stage : stage / 10 }, (_, i) => ({
              role: i % 2 ? "user" : "agent",
              words: [{ w: `w${i} ✓`, t: i }],
            })),
            ...(stage === 50 && { call_analysis: { call_summary: "Booked ✓", custom: { "": [null, { deep: true }] } } }),
            ...(stage === 20 && { agent_name: "B", metadata: {} }),
          };
          const payload = { event: `stage_${stage}`, call };
          return {
            payload,
            text: JSON.stringify(payload),
            patches: [
              patch(p, "t", stage, { status: call.call_status }, call),
              patch(p, "t", stage, { status: call.call_status }, payload, { kind: "message" }),
            ],
          };
        });
        const reference = (kind: RecordPatch["kind"], id: string) => {
          let record: StoredRecord | null = null;
          for (const e of events) for (const pt of e.patches) if (pt.kind === kind) record = mergeRecord(record, { ...pt, id }, T0);
          return comparable(record);
        };
        /** Changes every object and array inside a value. */
        const tamper = (value: unknown): void => {
          if (Array.isArray(value)) {
            for (const inner of value) tamper(inner);
            value.push("tampered");
          } else if (typeof value === "object" && value !== null) {
            for (const inner of Object.values(value)) tamper(inner);
            (value as Record<string, unknown>).tampered = true;
          }
        };
        for (const [n, order] of [
          [3, 1, 0, 2],
          [0, 1, 2, 3],
        ].entries()) {
          const id = `t${n}`;
          for (const [i, index] of order.entries()) {
            const e = events[index] as (typeof events)[number];
            await storage.claim({
              ...request(p, `${id}:${index}`, { mode: "complete", now: T0 + i }),
              event: { ...request(p, `${id}:${index}`).event, payload: e.payload, payloadText: e.text, payloadTextExact: i % 2 === 0 },
              records: e.patches.map((pt) => ({ ...pt, id })),
            });
          }
          for (const kind of ["call", "message"] as const) {
            // A copy: the reference merge shares the patches' objects, which the tampering below may reach.
            const expected = structuredClone(reference(kind, id));
            const record = await storage.getRecord(kind, p, id);
            expect(comparable(record)).toEqual(expected);
            // What a caller gets is its own: changing it changes nothing stored.
            tamper(record?.data);
            expect(comparable(await storage.getRecord(kind, p, id))).toEqual(expected);
          }
        }
      });

      it("keeps kinds apart and reads any kind back", async () => {
        const p = uniqueProvider();
        await storage.claim(
          request(p, "k", { mode: "complete" }, [
            patch(p, "same", 10, { body: "hello" }, undefined, { kind: "message" }),
            patch(p, "same", 10, { status: "ongoing" }),
            patch(p, "rep", 10, { metrics: { calls_total: { value: 3, unit: "count" } }, date: "2026-03-14" }, undefined, {
              kind: "report",
            }),
          ]),
        );
        expect((await storage.getRecord("message", p, "same"))?.fields).toEqual({ body: "hello" });
        expect((await storage.getRecord("call", p, "same"))?.fields).toMatchObject({ status: "ongoing" });
        expect((await storage.getRecord("report", p, "rep"))?.fields).toEqual({
          metrics: { calls_total: { value: 3, unit: "count" } },
          date: "2026-03-14",
        });
        expect(await storage.getRecord("recording", p, "same")).toBeNull();
      });
    });

    describe("records of several patches per event (MightyCall)", () => {
      const reference = (patches: readonly RecordPatch[], kind: RecordPatch["kind"], id: string) => {
        let record: StoredRecord | null = null;
        for (const pt of patches) if (pt.kind === kind && pt.id === id) record = mergeRecord(record, pt, T0);
        return comparable(record);
      };

      it("merges every patch of one claim, several of them into the same record", async () => {
        const p = uniqueProvider();
        const earliest = (ms: number, key: string) => recordVersion(10, Number.MAX_SAFE_INTEGER - ms * 1000, key);
        const patches: RecordPatch[] = [
          patch(p, "c", 40, { endedAt: T0 + 60_000, direction: "inbound" }),
          patch(p, "c", 10, { startedAt: T0, connectedAt: T0 + 5_000, extension: "101" }, undefined, { version: earliest(T0, "c:first") }),
          patch(p, "rec", 50, { callId: "c", url: "https://example.com/c.mp3", durationMs: 60_000 }, undefined, { kind: "recording" }),
          patch(p, "c", 50, { recordingUrl: "https://example.com/c.mp3" }),
        ];
        await storage.claim(request(p, "one-event", { mode: "complete" }, patches));
        expect(comparable(await storage.getCall(p, "c"))).toEqual(reference(patches, "call", "c"));
        expect(comparable(await storage.getRecord("recording", p, "rec"))).toEqual(reference(patches, "recording", "rec"));
        expect((await storage.getCall(p, "c"))?.fields).toMatchObject({
          status: "completed",
          durationMs: 55_000,
          extension: "101",
          recordingUrl: "https://example.com/c.mp3",
        });
      });

      it("keeps the falsy values a patch states: 0, false and the empty string", async () => {
        const p = uniqueProvider();
        await storage.claim(
          request(p, "k", { mode: "complete" }, [
            patch(p, "missed", 40, { status: "missed", durationMs: 0, successful: false, callerName: "" }),
            patch(p, "m", 20, { body: "", status: "sent" }, undefined, { kind: "message" }),
            patch(p, "r", 10, { hour: 0, metrics: { calls_missed: { value: 0, unit: null } } }, undefined, { kind: "report" }),
          ]),
        );
        expect((await storage.getCall(p, "missed"))?.fields).toEqual({
          status: "missed",
          durationMs: 0,
          successful: false,
          callerName: "",
        });
        expect((await storage.getRecord("message", p, "m"))?.fields).toEqual({ body: "", status: "sent" });
        expect((await storage.getRecord("report", p, "r"))?.fields).toEqual({
          hour: 0,
          metrics: { calls_missed: { value: 0, unit: null } },
        });
      });

      it("gives a native call's record whatever order its events arrive in", async () => {
        const p = uniqueProvider();
        const types = [
          "IncomingCall",
          "IncomingCallRinging",
          "IncomingCallStopRinging",
          "IncomingCallConnected",
          "IncomingCallCompleted",
        ] as const;
        const perEvent = types.map((type) => {
          const event = mightyCallSample(type, { callId: "native" }) as MightyCallNativeEvent;
          const key = `${type}:${event.Guid}`;
          return { key, patches: mightyCallNativeRecords(event, { key, orgId: "org-1" }).map((pt) => ({ ...pt, provider: p })) };
        });
        const expected = reference(
          perEvent.flatMap((e) => e.patches),
          "call",
          "native",
        );
        // A spread of orders (all 120 run in webhook-core's own tests): enough to catch an
        // order-dependent storage without 600 round trips to a database.
        const orders = permutations(perEvent.map((_, i) => i)).filter((_, n) => n % 17 === 0 || n === 119);
        for (const [n, order] of orders.entries()) {
          const id = `native-${n}`;
          for (const index of order) {
            const { key, patches } = perEvent[index] as (typeof perEvent)[number];
            await storage.claim(
              request(
                p,
                `${id}:${key}`,
                { mode: "complete" },
                patches.map((pt) => ({ ...pt, id })),
              ),
            );
          }
          expect(comparable(await storage.getCall(p, id))).toEqual({ ...expected, id });
        }
        expect(expected?.fields).toMatchObject({ status: "completed", direction: "inbound", extension: "101" });
      });
    });
  });
}
