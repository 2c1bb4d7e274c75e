import type { ReplayOutcome, StoredEvent } from "@callhooks/webhook-core";
import { type Html, html } from "../html.js";
import { callHref, eventHref } from "../links.js";
import { duration, orNone, statusChip, time } from "../views/format.js";
import { jsonTree } from "../views/json.js";
import { type PageContext, layout } from "../views/layout.js";

/** Statuses Replay is offered for: finished ones (pending and processing events are already on their way). */
export const REPLAYABLE: ReadonlySet<string> = new Set(["processed", "failed", "dead", "quarantined"]);

const OUTCOME_TEXT: Record<ReplayOutcome, string> = {
  processed: "processed: the handler ran and succeeded",
  failed: "failed: the handler failed again (see the last error)",
  dead: "dead: the handler failed and no attempts are left",
  quarantined: "still quarantined: the body still fails the current schemas",
  lease_lost: "lease lost: another processor took the event over",
  requeued: "requeued: no handler here for this provider; the app's workers will run it",
  taken: "taken: another processor holds it right now, or no handler can parse it again",
  not_found: "not found: the event is gone",
};

export const isReplayOutcome = (value: string | null): value is ReplayOutcome => value !== null && Object.hasOwn(OUTCOME_TEXT, value);

export function eventPage(ctx: PageContext, event: StoredEvent, replayed: ReplayOutcome | undefined): Html {
  const fact = (label: string, value: Html | string | number) => html`<tr><th>${label}</th><td>${value}</td></tr>`;
  const canReplay = !ctx.readOnly && REPLAYABLE.has(event.status);
  return layout(
    ctx,
    `${event.type} · ${event.status}`,
    "",
    html`<p class="crumbs"><a href="${ctx.root}">Inbox</a> › event</p>
<h1>${event.type} ${statusChip(event.status)}</h1>
${replayed ? html`<p class="notice" id="replay-outcome" data-outcome="${replayed}">Replay: ${OUTCOME_TEXT[replayed]}.</p>` : ""}
<div class="actions">
${
  canReplay
    ? html`<button type="button" id="replay" data-url="${ctx.root}api/events/${encodeURIComponent(event.id)}/replay" data-back="${eventHref(ctx.root, event.id)}">Replay</button>
<noscript><span class="muted">Replay needs JavaScript.</span></noscript><output id="replay-status"></output>`
    : ""
}
</div>
<section class="grid">
<table class="facts">
${fact("Provider", event.provider)}
${fact("Duplicate key", html`<code>${event.key}</code>`)}
${fact("Call", event.callId === null ? orNone(null) : html`<a href="${callHref(ctx.root, event.provider, event.callId, event.orgId)}">${event.callId}</a>`)}
${fact("Organisation", orNone(event.orgId))}
${fact("Attempts", event.attempts)}
${fact("Handler took", duration(event.durationMs))}
</table>
<table class="facts">
${fact("Received", time(event.receivedAt))}
${fact("Updated", time(event.updatedAt))}
${fact("Processed", time(event.processedAt))}
${fact("Next attempt", time(event.nextAttemptAt))}
${fact("Lease expires", time(event.leaseExpiresAt))}
${fact("Event id", html`<code>${event.id}</code>`)}
</table>
</section>
${event.lastError === null ? "" : html`<h2>Last error</h2><pre class="error" id="last-error">${event.lastError}</pre>`}
${
  event.issues?.length
    ? html`<h2>Validation issues</h2><ul class="issues">${event.issues.map((issue) => html`<li><code>${issue.path || "(body)"}</code> ${issue.message}</li>`)}</ul>`
    : ""
}
${event.response === null || event.response === undefined ? "" : html`<h2>Inbound answer</h2><p class="muted">What the handler answered; duplicates get it again.</p><div class="json">${jsonTree(event.response)}</div>`}
<h2>Payload</h2>
${
  event.payload === null || event.payload === undefined
    ? html`<p class="muted">Not kept (storage-memory keeps the payloads of its most recent events only).</p>`
    : html`<div class="json" id="payload">${jsonTree(event.payload)}</div>`
}`,
  );
}
