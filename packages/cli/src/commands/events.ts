import { eventStatuses, type EventStatus, type StoredEvent } from "@callhooks/webhook-core";
import { parse } from "../args.js";
import type { CliIO, Output } from "../io.js";
import { filterFrom, filterHelp, filterOptions, pages } from "../list.js";
import { openStorage, storageHelp, storageOptions } from "../storage.js";

export const eventsHelp = `Usage: callhooks events [id] [filters] [options]

Lists the events your receivers stored, newest first: when each arrived, its status,
type, call, attempts and last error (for a quarantined event: why its body was refused). With an id, shows that one event in full (payload
included). With --counts, how many events are in each status.

${filterHelp.replace("{limit}", "50")}

Options:
  --counts                 count events per status (with --provider: that provider's)
  --json                   one JSON object per event (or the counts as JSON)
  -h, --help               show this help

${storageHelp}

Exit status: 0 on success, 1 when an id is not found or the storage fails, 2 on a usage error.

Examples:
  callhooks events --status failed,dead --since 24h
  callhooks events --status quarantined
  callhooks events --call-id call_4c6f1e9a --json
  callhooks events --all --json > events.jsonl
  callhooks events 9b2f0c1e-… `;

const statusColor = (output: Output, status: EventStatus) => {
  const c = output.color;
  const colors: Record<EventStatus, (text: string) => string> = {
    pending: c.cyan,
    processing: c.blue,
    processed: c.green,
    failed: c.yellow,
    dead: c.red,
    quarantined: c.magenta,
  };
  return colors[status](status.padEnd(11));
};

const cell = (value: string | null, width: number) => {
  const text = value ?? "–";
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
};

const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

export const tableHeader = `${"RECEIVED (UTC)".padEnd(19)}  ${"STATUS".padEnd(11)}  ${"PROVIDER".padEnd(10)}  ${"TYPE".padEnd(22)}  ${"CALL".padEnd(34)}  TRY  ${"ID".padEnd(36)}  LAST ERROR`;

export function tableRow(output: Output, event: StoredEvent): string {
  const error = event.lastError ? output.color.dim(cell(event.lastError.replace(/\s+/g, " "), 60).trimEnd()) : "";
  return [
    when(event.receivedAt),
    statusColor(output, event.status),
    cell(event.provider, 10),
    cell(event.type, 22),
    cell(event.callId, 34),
    String(event.attempts).padStart(3),
    event.id.padEnd(36),
    error,
  ]
    .join("  ")
    .trimEnd();
}

export async function events(argv: string[], io: CliIO, output: Output): Promise<number> {
  const { values, positionals } = parse("events", argv, {
    ...filterOptions,
    ...storageOptions,
    counts: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) {
    output.out(eventsHelp);
    return 0;
  }
  const { filter, all } = filterFrom(values, 50);
  const { storage } = await openStorage(values, io, output);
  const c = output.color;

  if (positionals[0] !== undefined) {
    const event = await storage.getEvent(positionals[0]);
    if (!event) {
      output.err(output.errColor.red(`No event has the id ${positionals[0]}.`));
      return 1;
    }
    if (values.json) output.out(JSON.stringify(event));
    else {
      output.out(tableHeader);
      output.out(tableRow(output, event));
      output.out();
      output.out(JSON.stringify(event, null, 2));
    }
    return 0;
  }

  if (values.counts) {
    const counts = await storage.countEvents(filter.provider !== undefined ? { provider: filter.provider } : {});
    if (values.json) output.out(JSON.stringify(counts));
    else for (const status of eventStatuses) output.out(`${statusColor(output, status)} ${String(counts[status]).padStart(8)}`);
    return 0;
  }

  let shown = 0;
  for await (const page of pages(storage, filter, all, output)) {
    for (const event of page) {
      if (!values.json && shown === 0) output.out(c.bold(tableHeader));
      output.out(values.json ? JSON.stringify(event) : tableRow(output, event));
      shown++;
    }
  }
  output.clearProgress();
  if (!values.json) {
    const more = !all && shown === filter.limit ? c.dim(" (the newest; --limit or --all for more)") : "";
    output.out(shown === 0 ? c.dim("No events match.") : c.dim(`${shown} event${shown === 1 ? "" : "s"}`) + more);
  }
  return 0;
}
