import type { RecordPatch } from "@callhooks/webhook-core";
import { dataPathInPayload } from "@callhooks/webhook-core/storage";
import { bodyText, type KeptBody } from "./body.js";

/**
 * A value of a record's `data` kept as where it is in an event's body (its JSON text as UTF-8) instead
 * of as a parsed tree. A 48 KB Retell call is thousands of small objects (words with timings); a thousand call
 * records holding them is most of the heap, and the collector marks all of it on every major GC.
 * One string and a path cost it nothing to mark; the value is parsed again when a record is read,
 * which is rare beside writing it.
 */
class TextRef {
  constructor(
    readonly body: KeptBody,
    /** Where the patch's `data` is in the parsed text: `[]` (the payload) or `[member]`. */
    readonly at: readonly string[],
    readonly key: string,
  ) {}
}

/**
 * The patch with its `data`'s objects and arrays turned into references into `body`, when its text
 * parses back to exactly `payload` (the claim request says so: `payloadTextExact`) and `data` is
 * the payload or one of its members, as the providers' patches make it. Otherwise the patch as is.
 */
export function withTextRefs(patch: RecordPatch, payload: unknown, body: KeptBody): RecordPatch {
  const data = patch.data;
  const at = dataPathInPayload(patch, payload);
  if (data == null || at === undefined) return patch;
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.keys(data)) {
    const value = data[key];
    entries.push([key, value !== null && typeof value === "object" ? new TextRef(body, at, key) : value]);
  }
  // Built in one go, not key by key: see mergeRecord on V8's dictionary-mode objects.
  return { ...patch, data: Object.fromEntries(entries) };
}

/** A record's `data` with its references parsed back (each body once per place) and everything else copied. */
export function resolveTextRefs(data: Record<string, unknown>): Record<string, unknown> {
  // One parse per text serves the references that share a place in it: they name different keys of
  // one object, so what they return never aliases. A reference to the same text at another place
  // (another patch's `data`) gets a parse of its own.
  const parsed = new Map<KeptBody, { at: string; tree: unknown }>();
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (!(value instanceof TextRef)) {
      entries.push([key, structuredClone(value)]);
      continue;
    }
    const at = value.at.join("\u0000");
    let source = parsed.get(value.body);
    if (source?.at !== at) {
      source = { at, tree: JSON.parse(bodyText(value.body)) as unknown };
      parsed.set(value.body, source);
    }
    let found = source.tree;
    for (const name of value.at) found = (found as Record<string, unknown>)[name];
    entries.push([key, (found as Record<string, unknown>)[value.key]]);
  }
  return Object.fromEntries(entries);
}
