import type { StoredEvent, StoredRecord } from "@callhooks/webhook-core";
import { recordVersion } from "@callhooks/webhook-core/storage";

/** The part of a patch version after `SS.PPPPPPPPPPPPPPPP.`: the tiebreak, which is the event's duplicate key. */
const TIEBREAK_AT = 20;

export interface TimelineEntry {
  event: StoredEvent;
  /** The record's fields (and `data.<key>` names) whose value this event's patch set. */
  fields: string[];
  /** This event's merge stage (from the version of a field it set), when it set any. */
  stage: number | undefined;
  /** It arrived after an event of a later stage: delivered out of order. */
  late: boolean;
}

/**
 * The events that built a record, in arrival order, each with the fields it set. Versions end with
 * the patch's tiebreak, which is the event's duplicate key (encoded as `recordVersion` encodes it),
 * so a field's version names the event that set it.
 */
export function buildTimeline(record: Pick<StoredRecord<object>, "versions">, events: readonly StoredEvent[]): TimelineEntry[] {
  const byTiebreak = new Map<string, { fields: string[]; stage: number }>();
  for (const [name, version] of Object.entries(record.versions)) {
    const tiebreak = version.slice(TIEBREAK_AT);
    const entry = byTiebreak.get(tiebreak) ?? { fields: [], stage: Number(version.slice(0, 2)) };
    entry.fields.push(name);
    byTiebreak.set(tiebreak, entry);
  }
  const arrived = [...events].sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1));
  let highest = -1;
  return arrived.map((event) => {
    const set = byTiebreak.get(recordVersion(0, 0, event.key).slice(TIEBREAK_AT));
    const stage = set?.stage;
    const late = stage !== undefined && stage < highest;
    if (stage !== undefined) highest = Math.max(highest, stage);
    const fields = set
      ? [...set.fields].sort((a, b) => Number(a.startsWith("data.")) - Number(b.startsWith("data.")) || a.localeCompare(b))
      : [];
    return { event, fields, stage, late };
  });
}

/** Which event set each field: field name → event. */
export function fieldSources(timeline: readonly TimelineEntry[]): Map<string, StoredEvent> {
  const sources = new Map<string, StoredEvent>();
  for (const entry of timeline) for (const name of entry.fields) sources.set(name, entry.event);
  return sources;
}
