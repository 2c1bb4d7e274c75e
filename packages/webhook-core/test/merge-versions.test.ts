import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RecordPatch, StoredRecord } from "@callhooks/webhook-core";
import { deriveCallFields, mergeRecord, recordVersion } from "@callhooks/webhook-core/storage";

/*
 * mergeRecord builds `versions` in one go (an object grown name by name becomes a hash table in V8,
 * ~5× the memory, and storage-memory keeps one per record). This is the rule as it was first
 * written, versions set as they are won; the property proves the two give the same record, key
 * order included, whatever the patches, including names that two parts of one patch share
 * (`orgId`, and a field named `data.<key>`).
 */
function reference(existing: StoredRecord | null, patch: RecordPatch, now: number): StoredRecord {
  const record: StoredRecord = existing
    ? {
        ...existing,
        fields: { ...existing.fields },
        data: { ...existing.data },
        versions: { ...existing.versions },
        eventTypes: [...existing.eventTypes],
      }
    : {
        kind: patch.kind,
        provider: patch.provider,
        id: patch.id,
        orgId: null,
        fields: {},
        data: {},
        versions: {},
        eventTypes: [],
        createdAt: now,
        updatedAt: now,
      };
  const { versions } = record;
  const wins = (name: string): boolean => {
    const current = versions[name];
    if (current !== undefined && current >= patch.version) return false;
    versions[name] = patch.version;
    return true;
  };
  if (patch.orgId != null && wins("orgId")) record.orgId = patch.orgId;
  for (const name in patch.fields) {
    const value = patch.fields[name];
    if (value != null && wins(name)) record.fields[name] = value;
  }
  if (patch.data) {
    for (const key in patch.data) {
      const value = patch.data[key];
      if (value != null && wins(`data.${key}`)) record.data[key] = value;
    }
  }
  if (!record.eventTypes.includes(patch.eventType)) {
    record.eventTypes.push(patch.eventType);
    record.eventTypes.sort();
  }
  if (record.kind === "call") deriveCallFields(record.fields, versions);
  record.updatedAt = now;
  return record;
}

const arbValue = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.string({ maxLength: 3 }), fc.boolean());
const arbPatch = fc.record({
  kind: fc.constantFrom("call" as const, "message" as const),
  stage: fc.integer({ min: 0, max: 60 }),
  progress: fc.nat({ max: 50 }),
  key: fc.string({ maxLength: 3 }),
  fields: fc.dictionary(
    fc.constantFrom("status", "endedAt", "connectedAt", "durationMs", "orgId", "data.a", "data.x", "summary"),
    arbValue,
  ),
  data: fc.option(fc.dictionary(fc.constantFrom("a", "b", "x", "call_id", "orgId"), arbValue), { nil: undefined }),
  orgId: fc.option(fc.constantFrom("org-1", "org-2"), { nil: null }),
  eventType: fc.constantFrom("started", "ended", "analyzed"),
});

describe("mergeRecord builds versions in one go, with the same result as setting them one by one", () => {
  it("same record, same key order (property)", () => {
    fc.assert(
      fc.property(fc.array(arbPatch, { minLength: 1, maxLength: 6 }), fc.boolean(), (raw, tieVersions) => {
        let mine: StoredRecord | null = null;
        let theirs: StoredRecord | null = null;
        raw.forEach((p, i) => {
          const patch: RecordPatch = {
            kind: raw[0]?.kind ?? "call",
            provider: "p",
            id: "r",
            orgId: p.orgId,
            eventType: p.eventType,
            // Equal versions across patches as well as distinct ones.
            version: recordVersion(p.stage, p.progress, tieVersions ? "k" : `${p.key}#${i}`),
            fields: p.fields as RecordPatch["fields"],
            ...(p.data !== undefined && { data: p.data }),
          };
          mine = mergeRecord(mine, patch, i);
          theirs = reference(theirs, patch, i);
        });
        expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs));
        expect(mine).toEqual(theirs);
      }),
      { numRuns: 3000 },
    );
  });

  it("leaves the record it merges into unchanged", () => {
    const patch = (version: string, fields: Record<string, string>): RecordPatch => ({
      kind: "call",
      provider: "p",
      id: "r",
      orgId: null,
      eventType: "e",
      version,
      fields,
      data: { a: version },
    });
    const first = mergeRecord(null, patch("10.a", { status: "ringing" }), 1);
    const snapshot = JSON.stringify(first);
    mergeRecord(first, patch("20.b", { status: "ended", summary: "s" }), 2);
    expect(JSON.stringify(first)).toBe(snapshot);
  });
});
