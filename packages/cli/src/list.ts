import { type EventFilter, type EventStatus, eventStatuses, type StoredEvent, type WebhookStorage } from "@callhooks/webhook-core";
import { integer, list, time } from "./args.js";
import { type Output, UsageError } from "./io.js";

/** The filter options `events` and `replay` share. */
export const filterOptions = {
  status: { type: "string", multiple: true },
  type: { type: "string", multiple: true },
  provider: { type: "string" },
  "call-id": { type: "string" },
  "org-id": { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean" },
} as const;

export const filterHelp = `Filters:
  --status <s>[,<s>]       pending, processing, processed, failed, dead (repeatable)
  --type <t>[,<t>]         event types, e.g. call_ended, call.completed (repeatable)
  --provider <name>        retell, mightycall
  --call-id <id>           one call's events
  --org-id <id>            one organisation's events
  --since <time>           received at or after: ISO date, epoch ms, or ago (30m, 2h, 7d)
  --until <time>           received before
  --limit <n>              at most n events, newest first (default {limit})
  --all                    every matching event, page by page (ignores --limit)`;

type FilterValues = {
  [K in keyof typeof filterOptions]?: (typeof filterOptions)[K]["type"] extends "boolean" ? boolean : string | string[];
};

export function filterFrom(values: FilterValues, defaultLimit: number): { filter: EventFilter; all: boolean; narrowed: boolean } {
  const now = Date.now();
  const statuses = list(values.status);
  for (const status of statuses ?? []) {
    if (!eventStatuses.includes(status as EventStatus))
      throw new UsageError(`--status is one of ${eventStatuses.join(", ")}; not "${status}".`);
  }
  const types = list(values.type);
  const since = time("since", values.since as string | undefined, now);
  const until = time("until", values.until as string | undefined, now);
  const filter: EventFilter = {
    ...(statuses && { status: statuses as EventStatus[] }),
    ...(types && { type: types }),
    ...(values.provider !== undefined && { provider: values.provider as string }),
    ...(values["call-id"] !== undefined && { callId: values["call-id"] as string }),
    ...(values["org-id"] !== undefined && { orgId: values["org-id"] as string }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
    limit: integer("limit", values.limit as string | undefined, defaultLimit),
  };
  const narrowed = Object.keys(filter).some((key) => key !== "limit");
  return { filter, all: values.all === true, narrowed };
}

const PAGE = 500;

/**
 * The matching events, newest first, in pages. `listEvents` has no cursor, so each page asks for
 * events received before the oldest one seen (plus that same millisecond, de-duplicated by id).
 */
export async function* pages(storage: WebhookStorage, filter: EventFilter, all: boolean, output: Output): AsyncGenerator<StoredEvent[]> {
  if (!all) {
    yield await storage.listEvents(filter);
    return;
  }
  const seen = new Set<string>();
  let until = filter.until;
  for (;;) {
    const page = await storage.listEvents({ ...filter, limit: PAGE, ...(until !== undefined && { until }) });
    const fresh = page.filter((event) => !seen.has(event.id));
    for (const event of fresh) seen.add(event.id);
    if (fresh.length > 0) yield fresh;
    output.progress(`${seen.size} events read…`);
    const oldest = page.at(-1);
    if (page.length < PAGE || !oldest) return;
    if (fresh.length === 0) {
      output.err(output.errColor.yellow(`More than ${PAGE} events were received in the same millisecond; some of them are skipped.`));
      until = oldest.receivedAt;
    } else {
      until = oldest.receivedAt + 1;
    }
  }
}
