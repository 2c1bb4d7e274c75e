import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RecordPatch, StoredRecord } from "@callhooks/webhook-core";
import { mergeRecord, nextAttemptAt, recordVersion } from "@callhooks/webhook-core/storage";

const arbValue = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.string({ maxLength: 4 }), fc.boolean());
const arbPatch = fc.record({
  stage: fc.integer({ min: 0, max: 60 }),
  progress: fc.nat({ max: 1000 }),
  key: fc.string({ maxLength: 6 }),
  fields: fc.dictionary(fc.constantFrom("status", "from", "endedAt", "connectedAt", "durationMs", "summary"), arbValue),
  data: fc.dictionary(fc.constantFrom("a", "b", "c"), arbValue),
  orgId: fc.option(fc.constantFrom("org-1", "org-2"), { nil: null }),
  eventType: fc.constantFrom("started", "ended", "analyzed"),
});

type RawPatch = typeof arbPatch extends fc.Arbitrary<infer T> ? T : never;

const toPatch = (p: RawPatch, i: number): RecordPatch => ({
  kind: "call",
  provider: "p",
  id: "c",
  orgId: p.orgId,
  eventType: p.eventType,
  // A distinct tiebreak per patch, as distinct events have distinct keys.
  version: recordVersion(p.stage, p.progress, `${p.key}#${i}`),
  fields: p.fields as RecordPatch["fields"],
  data: p.data,
});

const fold = (patches: RecordPatch[]) => patches.reduce<StoredRecord | null>((record, patch) => mergeRecord(record, patch, 0), null);
const comparable = (r: StoredRecord | null) =>
  r && { fields: r.fields, data: r.data, versions: r.versions, eventTypes: r.eventTypes, orgId: r.orgId };

describe("mergeRecord", () => {
  it("gives the same record whatever the order (property)", () => {
    fc.assert(
      fc.property(
        fc
          .array(arbPatch, { minLength: 1, maxLength: 6 })
          .chain((raw) =>
            fc.tuple(fc.constant(raw), fc.shuffledSubarray([...raw.keys()], { minLength: raw.length, maxLength: raw.length })),
          ),
        ([raw, order]) => {
          const patches = raw.map(toPatch);
          const shuffled = order.map((i) => patches[i]!);
          expect(comparable(fold(shuffled))).toEqual(comparable(fold(patches)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is idempotent: applying a patch again changes nothing (property)", () => {
    fc.assert(
      fc.property(fc.array(arbPatch, { minLength: 1, maxLength: 5 }), fc.nat(), (raw, pick) => {
        const patches = raw.map(toPatch);
        const again = [...patches, patches[pick % patches.length]!];
        expect(comparable(fold(again))).toEqual(comparable(fold(patches)));
      }),
      { numRuns: 300 },
    );
  });

  it("never lets null or a lower version erase or replace a value", () => {
    const v = (stage: number) => recordVersion(stage, 0, `k${stage}`);
    const base = { kind: "call" as const, provider: "p", id: "c", orgId: null, eventType: "e" };
    const analyzed = mergeRecord(null, { ...base, version: v(50), fields: { summary: "done", status: "ended" } }, 0);
    const withEnded = mergeRecord(analyzed, { ...base, version: v(40), fields: { summary: null, status: "ending", from: "+1" } }, 0);
    expect(withEnded.fields).toMatchObject({ summary: "done", status: "ended", from: "+1" });
    const withStarted = mergeRecord(withEnded, { ...base, version: v(10), fields: { status: "ongoing", from: "+2" } }, 0);
    expect(withStarted.fields).toMatchObject({ status: "ended", from: "+1" });
  });

  it("orders versions by stage, then progress, then tiebreak, with non-ASCII tiebreaks kept in a portable order", () => {
    expect(recordVersion(2, 0, "z") < recordVersion(10, 0, "a")).toBe(true);
    expect(recordVersion(10, 9, "z") < recordVersion(10, 10, "a")).toBe(true);
    expect(recordVersion(10, 10, "a") < recordVersion(10, 10, "b")).toBe(true);
    expect(recordVersion(10, 0, "ñ")).toMatch(/^[\x20-\x7e]+$/);
    expect(recordVersion(500, -3, "x")).toBe(recordVersion(99, 0, "x"));
  });
});

describe("nextAttemptAt", () => {
  it("backs off exponentially with jitter, capped, and gives up at maxAttempts", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect(nextAttemptAt(1, 0, policy, () => 0)).toBe(500);
    expect(nextAttemptAt(1, 0, policy, () => 1)).toBe(1000);
    expect(nextAttemptAt(3, 0, policy, () => 1)).toBe(4000);
    expect(nextAttemptAt(4, 0, policy, () => 1)).toBe(5000);
    expect(nextAttemptAt(4, 0, policy, () => 0)).toBe(2500);
    expect(nextAttemptAt(5, 0, policy)).toBeNull();
  });
});
