import type { StoredEvent } from "@callhooks/webhook-core";
import { parse } from "../args.js";
import { type CliIO, type Output, UsageError } from "../io.js";
import { filterFrom, filterHelp, filterOptions, pages } from "../list.js";
import { openStorage, storageHelp, storageOptions } from "../storage.js";
import { tableHeader, tableRow } from "./events.js";

export const replayHelp = `Usage: callhooks replay <id>... [options]
       callhooks replay <filters> [options]

Puts stored events back to "pending", so that your app processes them again: its
workers (startWorker / processPending) or its deferred handlers pick them up, run your
handlers (context.replay is true) and retry or mark them dead as usual.

The CLI cannot run your handlers itself: it does not have your code. It only requeues.
To replay and run in one step, call replayEvents({ storage, handlers, ids | filter })
from your app. Events another processor holds right now (a live lease) are left alone,
and so are quarantined ones: only your app's handlers can parse them again with the
current schemas (replayEvents({ storage, handlers, filter: { status: "quarantined" } })).

${filterHelp.replace("{limit}", "100")}
  Without ids, at least one filter is required.

Options:
  --dry-run                list what would be requeued, change nothing
  --json                   one JSON object per event: { id, type, outcome }
  -h, --help               show this help

${storageHelp}

Exit status: 0 on success, 1 when an id is not found or the storage fails, 2 on a usage error.

Examples:
  callhooks replay 9b2f0c1e-…
  callhooks replay --status dead --type call_analyzed --since 7d
  callhooks replay --status failed,dead --all --dry-run`;

const CHUNK = 100;

export async function replay(argv: string[], io: CliIO, output: Output): Promise<number> {
  const { values, positionals } = parse("replay", argv, {
    ...filterOptions,
    ...storageOptions,
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) {
    output.out(replayHelp);
    return 0;
  }
  const { filter, all, narrowed } = filterFrom(values, 100);
  if (positionals.length === 0 && !narrowed) {
    throw new UsageError(
      "Which events? Give ids, or at least one filter (--status, --type, --call-id, --since…); see `callhooks replay --help`.",
    );
  }
  if (positionals.length > 0 && narrowed) throw new UsageError("Give ids or filters, not both.");
  const { storage } = await openStorage(values, io, output);
  const c = output.color;

  let missing = 0;
  const selected: StoredEvent[] = [];
  if (positionals.length > 0) {
    for (const id of new Set(positionals)) {
      const event = await storage.getEvent(id);
      if (event) selected.push(event);
      else {
        missing++;
        output.err(output.errColor.red(`No event has the id ${id}.`));
      }
    }
  } else {
    for await (const page of pages(storage, filter, all, output)) selected.push(...page);
  }
  selected.reverse(); // the order they happened in: workers claim the oldest first anyway

  if (values["dry-run"]) {
    if (values.json) for (const event of selected) output.out(JSON.stringify({ id: event.id, type: event.type, outcome: "would_requeue" }));
    else {
      if (selected.length > 0) output.out(c.bold(tableHeader));
      for (const event of selected) output.out(tableRow(output, event));
      output.out(c.dim(`${selected.length} event${selected.length === 1 ? "" : "s"} would be requeued (dry run: nothing changed).`));
    }
    return missing > 0 ? 1 : 0;
  }

  let requeued = 0;
  let taken = 0;
  for (let start = 0; start < selected.length; start += CHUNK) {
    const chunk = selected.slice(start, start + CHUNK);
    const now = Date.now();
    const count = await storage.requeue(
      chunk.map((event) => event.id),
      now,
    );
    requeued += count;
    for (const event of chunk) {
      // requeue() only counts; an event under a live lease at the time, or a quarantined one, is one it left alone.
      const busy = event.status === "processing" && (event.leaseExpiresAt ?? 0) > now;
      const quarantined = event.status === "quarantined";
      if (busy || quarantined) taken++;
      if (values.json)
        output.out(JSON.stringify({ id: event.id, type: event.type, outcome: busy ? "taken" : quarantined ? "quarantined" : "requeued" }));
      else if (busy) output.out(`${c.yellow("–")} ${event.id} ${c.dim(`${event.type}: being processed right now, left alone`)}`);
      else if (quarantined) {
        output.out(
          `${c.yellow("–")} ${event.id} ${c.dim(`${event.type}: quarantined, left alone (replayEvents with your handlers parses it again)`)}`,
        );
      }
    }
    if (selected.length > CHUNK) output.progress(`${Math.min(start + CHUNK, selected.length)}/${selected.length} requeued…`);
  }
  output.clearProgress();
  if (!values.json) {
    const skipped = selected.length - requeued;
    const note =
      skipped > 0 ? c.dim(` (${skipped} left alone: under a live lease or quarantined${skipped > taken ? ", or gone" : ""})`) : "";
    output.out(`${c.green("✓")} ${requeued} event${requeued === 1 ? "" : "s"} requeued for your workers${note}.`);
  }
  return missing > 0 ? 1 : 0;
}
