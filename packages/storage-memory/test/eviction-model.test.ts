import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { type ClaimRequest, type EventStatus, WebhookStorageError } from "@callhooks/webhook-core";

/*
 * storage-memory keeps ages beside its maps (an id queue for events, a linked list for records)
 * instead of iterating the maps from their start, which walked every deleted slot. This checks the
 * eviction rule against a plain model, over random operations with small caps: the oldest finished
 * events go first; unfinished ones are never forgotten (a new event is refused when only they are
 * left); records go least recently updated first.
 */
type Op =
  | { kind: "claim"; key: number; record: number; mode: ClaimRequest["mode"] }
  | { kind: "complete"; pick: number }
  | { kind: "fail"; pick: number; dead: boolean };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      key: fc.nat(12),
      record: fc.nat(6),
      mode: fc.constantFrom("lease" as const, "complete" as const, "pending" as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("complete" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), pick: fc.nat(), dead: fc.boolean() }) },
);

describe("storage-memory eviction matches the model", () => {
  it("same events and records kept, whatever the operations (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(arbOp, { maxLength: 60 }),
        async (maxEvents, maxRecords, ops) => {
          const storage = createMemoryStorage({ maxEvents, maxRecords });
          // The model: events oldest first with their status, records least recently updated first.
          const events: Array<{ key: string; status: EventStatus }> = [];
          let records: string[] = [];
          const leases = new Map<string, { id: string; leaseToken: string }>();
          const terminal = (s: EventStatus) => s === "processed" || s === "dead";
          /** Room for one more event, forgetting the oldest finished ones; false when all are unfinished. */
          const makeRoom = () => {
            while (events.length >= maxEvents) {
              const i = events.findIndex((e) => terminal(e.status));
              if (i < 0) return false;
              events.splice(i, 1);
            }
            return true;
          };
          const evictRecords = () => {
            while (records.length > maxRecords) records.shift();
          };
          let now = 1;
          for (const op of ops) {
            now++;
            if (op.kind === "claim") {
              const key = `k${op.key}`;
              const record = `r${op.record}`;
              const existing = events.find((e) => e.key === key);
              const room = existing !== undefined || makeRoom();
              const claiming = storage.claim({
                event: { provider: "p", key, type: "t", callId: null, orgId: null, payload: {}, receivedAt: now },
                records: [
                  {
                    kind: "call",
                    provider: "p",
                    id: record,
                    orgId: null,
                    eventType: "t",
                    version: `10.${String(now).padStart(16, "0")}.${key}`,
                    fields: { status: "x" },
                  },
                ],
                mode: op.mode,
                leaseMs: 1_000_000,
                now,
              });
              if (!room) {
                await expect(claiming).rejects.toBeInstanceOf(WebhookStorageError);
                continue;
              }
              const result = await claiming;
              if (existing) {
                // The model's expectation for a key it still holds.
                const expected = existing.status === "processed" ? "duplicate" : existing.status === "processing" ? "in_flight" : "claimed";
                expect(result.outcome).toBe(expected);
              } else {
                expect(result.outcome).toBe("claimed");
                events.push({ key, status: "pending" });
              }
              if (result.outcome !== "claimed") continue;
              const event = events.find((e) => e.key === key) as { key: string; status: EventStatus };
              event.status = op.mode === "pending" ? "pending" : op.mode === "complete" ? "processed" : "processing";
              if (op.mode === "lease") leases.set(key, { id: result.event.id, leaseToken: result.leaseToken as string });
              records = [...records.filter((r) => r !== record), record];
              evictRecords();
            } else {
              const held = [...leases.keys()];
              if (held.length === 0) continue;
              const key = held[op.pick % held.length] as string;
              const lease = leases.get(key) as { id: string; leaseToken: string };
              leases.delete(key);
              const event = events.find((e) => e.key === key);
              const ok =
                op.kind === "complete"
                  ? await storage.complete(lease, { now })
                  : await storage.fail(lease, { error: "e", retryAt: op.dead ? null : now + 10, now });
              expect(ok).toBe(event?.status === "processing");
              if (ok && event) event.status = op.kind === "complete" ? "processed" : op.dead ? "dead" : "failed";
            }
            const kept = (await storage.listEvents({ limit: 1000 })).map((e) => e.key).sort();
            expect(kept).toEqual(events.map((e) => e.key).sort());
            for (let r = 0; r <= 6; r++) expect((await storage.getCall("p", `r${r}`)) !== null).toBe(records.includes(`r${r}`));
            expect(storage.size()).toMatchObject({ events: events.length, records: records.length });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a new event rather than forget unfinished ones, and takes it once there is room", async () => {
    const storage = createMemoryStorage({ maxEvents: 2 });
    const claim = (key: string, mode: ClaimRequest["mode"]) =>
      storage.claim({
        event: { provider: "p", key, type: "t", callId: null, orgId: null, payload: { key }, receivedAt: 1 },
        records: [],
        mode,
        leaseMs: 1000,
        now: 1,
      });
    const first = await claim("q1", "pending");
    await claim("q2", "pending");
    await expect(claim("q3", "pending")).rejects.toThrow(/full/);
    expect((await storage.listEvents()).map((e) => e.key).sort()).toEqual(["q1", "q2"]);
    const [due] = await storage.claimDue({ limit: 1, leaseMs: 1000, now: 2 });
    expect(due?.event.id).toBe(first.event.id);
    await storage.complete({ id: due!.event.id, leaseToken: due!.leaseToken }, { now: 3 });
    expect((await claim("q3", "pending")).outcome).toBe("claimed"); // the finished q1 made room
  });

  it("keeps evicting in O(1) past many unfinished events at the front", async () => {
    const storage = createMemoryStorage({ maxEvents: 50, maxRecords: 50 });
    const claim = (key: string, mode: ClaimRequest["mode"]) =>
      storage.claim({
        event: { provider: "p", key, type: "t", callId: null, orgId: null, payload: {}, receivedAt: 1 },
        records: [],
        mode,
        leaseMs: 1000,
        now: 1,
      });
    for (let i = 0; i < 40; i++) await claim(`pending${i}`, "pending");
    for (let i = 0; i < 20_000; i++) await claim(`done${i}`, "complete");
    expect(storage.size().events).toBe(50);
    // The 40 unfinished events are still there, and the last 10 finished ones.
    const kept = (await storage.listEvents({ limit: 100 })).map((e) => e.key);
    expect(kept.filter((k) => k.startsWith("pending"))).toHaveLength(40);
    expect(kept.filter((k) => k.startsWith("done")).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `done${19_990 + i}`).sort());
  });
});
