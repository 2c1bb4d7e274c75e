import type { RecordPatch } from "./types.js";

/**
 * Where a patch's `data` sits in the event's payload: `[]` when it is the payload itself (MightyCall's
 * patches), `[member]` when it is one of the payload's members (Retell's `call`), found by identity;
 * undefined otherwise. A storage that already keeps the payload can then name `data` by this path
 * instead of keeping a second copy of it.
 */
export function dataPathInPayload(patch: RecordPatch, payload: unknown): string[] | undefined {
  const data = patch.data;
  if (data == null || typeof payload !== "object" || payload === null) return undefined;
  if (data === payload) return [];
  for (const key of Object.keys(payload)) if ((payload as Record<string, unknown>)[key] === data) return [key];
  return undefined;
}
