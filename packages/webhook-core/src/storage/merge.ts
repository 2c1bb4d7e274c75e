import type { JsonValue, RecordPatch, StoredRecord } from "./types.js";

/**
 * The one merge rule every storage implements (storage-memory calls this function; storage-supabase's
 * SQL `callhooks_merge_record` is the same rule, and the conformance suite proves they agree):
 *
 * 1. Each field (and each top-level key of `data`) keeps the value of the patch with the highest
 *    version that set it. `null`/`undefined` never set anything, so a later event cannot erase a
 *    field an earlier one set.
 * 2. Versions are strings compared byte by byte: `stage` first (call_started < call_ended <
 *    call_analyzed…), then `progress` (e.g. transcript length), then a tiebreak (the event key).
 *    The result is therefore the same whatever the order and however often a patch is applied.
 * 3. For calls, `status` and `durationMs` are derived from the other fields when no event stated
 *    them (see `deriveCallFields`).
 */
export function mergeRecord(existing: StoredRecord | null, patch: RecordPatch, now: number): StoredRecord {
  const record: StoredRecord = existing
    ? {
        ...existing,
        fields: { ...existing.fields },
        data: { ...existing.data },
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
  const previous = record.versions;
  // Names this patch sets, in order; each can win once (its version is the patch's).
  const won: Array<[string, string]> = [];
  const wins = (name: string): boolean => {
    const current = previous[name];
    if (current !== undefined && current >= patch.version) return false;
    won.push([name, patch.version]);
    return true;
  };

  const wonAlready = (name: string) => won.some(([n]) => n === name);

  if (patch.orgId != null && wins("orgId")) record.orgId = patch.orgId;
  // A field named `orgId` or `data.<key>` shares its version with `orgId` or that data key: whichever
  // comes first in the patch sets it, as when versions were written as they were won.
  let dataNamedFields = false;
  for (const name in patch.fields) {
    const value = patch.fields[name];
    if (value == null) continue;
    if (name === "orgId" || name.startsWith("data.")) {
      dataNamedFields ||= name !== "orgId";
      if (wonAlready(name)) continue;
    }
    if (wins(name)) record.fields[name] = value;
  }
  if (patch.data) {
    for (const key in patch.data) {
      const value = patch.data[key];
      if (value == null) continue;
      const name = dataVersionName(key);
      if (dataNamedFields && wonAlready(name)) continue;
      if (wins(name)) record.data[key] = value;
    }
  }
  // Built in one go: set one by one, a Retell call's few dozen names turn the object into a hash
  // table in V8, several times larger, and a storage in memory keeps one per call record.
  const versions: Record<string, string> =
    won.length === 0 ? { ...previous } : Object.fromEntries(existing ? [...Object.entries(previous), ...won] : won);
  record.versions = versions;
  if (!record.eventTypes.includes(patch.eventType)) {
    record.eventTypes.push(patch.eventType);
    record.eventTypes.sort();
  }
  if (record.kind === "call") deriveCallFields(record.fields, versions);
  record.updatedAt = now;
  return record;
}

// `data.<key>` for each key of a provider's object, built once: concatenating (and then
// internalising, to use it as a property name) a new string for every key of every patch showed in
// the profile of every event. Provider objects have a few dozen keys; the bound only guards against
// payloads with endless distinct keys.
const dataVersionNames = new Map<string, string>();
function dataVersionName(key: string): string {
  let name = dataVersionNames.get(key);
  if (name === undefined) {
    name = `data.${key}`;
    if (dataVersionNames.size < 4096) dataVersionNames.set(key, name);
  }
  return name;
}

/**
 * Call facts that some providers state and others only imply. MightyCall's native events say when a
 * call rang, connected and completed, but never its outcome or length; Retell states both. So when
 * no event has set them:
 * - `status`: `missed` when it ended without connecting, `completed` when it ended after connecting,
 *   `in_progress` when connected, else `ringing`;
 * - `durationMs`: talk time, `endedAt − connectedAt`, or 0 for a call that ended unanswered.
 */
export function deriveCallFields(fields: Record<string, JsonValue>, versions: Record<string, string>): void {
  const connectedAt = typeof fields.connectedAt === "number" ? fields.connectedAt : undefined;
  const endedAt = typeof fields.endedAt === "number" ? fields.endedAt : undefined;
  if (versions.status === undefined) {
    fields.status =
      endedAt !== undefined ? (connectedAt !== undefined ? "completed" : "missed") : connectedAt !== undefined ? "in_progress" : "ringing";
  }
  if (versions.durationMs === undefined) {
    if (endedAt !== undefined) fields.durationMs = connectedAt !== undefined ? Math.max(0, endedAt - connectedAt) : 0;
    else delete fields.durationMs;
  }
}

const MAX_PROGRESS = Number.MAX_SAFE_INTEGER;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A patch version: `stage` (0–99) orders event kinds, `progress` (a non-negative integer below 10^16,
 * e.g. a transcript's length or a timestamp) orders events of one kind, `tiebreak` (the event key)
 * makes the order total. Non-ASCII in the tiebreak is percent-encoded so that JavaScript's and
 * PostgreSQL's (`COLLATE "C"`) string orders agree.
 */
export function recordVersion(stage: number, progress: number, tiebreak: string): string {
  const s = Math.min(99, Math.max(0, Math.trunc(stage)));
  const p = Number.isFinite(progress) ? Math.min(MAX_PROGRESS, Math.max(0, Math.trunc(progress))) : 0;
  // Unpaired surrogates (possible in any string a provider sends) would make encodeURIComponent
  // throw, and the event would be answered 500 on every delivery: they become U+FFFD first.
  const safe = /^[\x20-\x7e]*$/.test(tiebreak) ? tiebreak : encodeURIComponent(tiebreak.replace(LONE_SURROGATE, "\ufffd"));
  return `${String(s).padStart(2, "0")}.${String(p).padStart(16, "0")}.${safe}`;
}
