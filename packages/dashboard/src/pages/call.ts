import type { JsonValue, StoredRecord } from "@callhooks/webhook-core";
import { type Html, html } from "../html.js";
import { eventHref } from "../links.js";
import { type TimelineEntry, fieldSources } from "../timeline.js";
import { orNone, statusChip, time } from "../views/format.js";
import { REDACTED, jsonTree } from "../views/json.js";
import { type PageContext, layout } from "../views/layout.js";

const TIME_FIELDS = new Set(["startedAt", "connectedAt", "endedAt", "sentAt", "availableAt", "generatedAt"]);

function fieldValue(name: string, value: JsonValue): Html {
  if (TIME_FIELDS.has(name) && typeof value === "number") return time(value);
  if (typeof value === "string") return html`<span class="text">${value}</span>`;
  if (typeof value === "object" && value !== null) return jsonTree(value, { openDepth: 0 });
  return html`${String(value)}`;
}

export function callPage(ctx: PageContext, record: StoredRecord<object>, timeline: readonly TimelineEntry[], truncated: boolean): Html {
  const sources = fieldSources(timeline);
  const source = (name: string) => {
    const event = sources.get(name);
    return event ? html`<a href="${eventHref(ctx.root, event.id)}">${event.type}</a>` : html`<span class="muted">derived</span>`;
  };
  const fields = Object.entries(record.fields as Record<string, JsonValue>);
  const dataKeys = Object.keys(record.data);
  return layout(
    ctx,
    `Call ${record.id}`,
    "",
    html`<p class="crumbs"><a href="${ctx.root}">Inbox</a> › call</p>
<h1>Call <code>${record.id}</code></h1>
<p class="muted">${record.provider}${record.orgId === null ? "" : html` · organisation ${record.orgId}`} · built from ${record.eventTypes.join(", ")} · first seen ${time(record.createdAt)} · updated ${time(record.updatedAt)}</p>
<h2>Merged record</h2>
<table class="fields" id="fields">
<thead><tr><th>Field</th><th>Value</th><th>Set by</th></tr></thead>
<tbody>${fields.map(([name, value]) => html`<tr data-field="${name}"><th>${name}</th><td>${/^(api[-_]?key|secret|password)$/i.test(name) ? REDACTED : fieldValue(name, value)}</td><td>${source(name)}</td></tr>`)}</tbody>
</table>
${dataKeys.length ? html`<details class="data"><summary>The provider's object: ${dataKeys.length} keys</summary><div class="json">${jsonTree(record.data, { openDepth: 1 })}</div></details>` : ""}
<h2>Events, in the order they arrived</h2>
<p class="muted">Each field keeps the value of the latest stage that stated it, whatever the order of delivery: an event that arrived after a later stage sets only what no later event said.</p>
${truncated ? html`<p class="warning">Only the first events of this call are listed.</p>` : ""}
<ol class="timeline" id="timeline">
${timeline.map(
  (entry, i) => html`<li class="${entry.late ? "late" : ""}" data-type="${entry.event.type}">
<div class="when">#${i + 1} ${time(entry.event.receivedAt)}</div>
<div><a href="${eventHref(ctx.root, entry.event.id)}">${entry.event.type}</a> ${statusChip(entry.event.status)} ${entry.late ? html`<span class="tag">arrived out of order</span>` : ""}</div>
<div class="set">${
    entry.fields.length === 0
      ? html`<span class="muted">set no field: later stages had said all it carried</span>`
      : html`set ${entry.fields.filter((f) => !f.startsWith("data.")).map((f) => html`<code>${f}</code> `)}${
          entry.fields.some((f) => f.startsWith("data."))
            ? html`<span class="muted">+ ${entry.fields.filter((f) => f.startsWith("data.")).length} keys of the provider's object</span>`
            : ""
        }`
  }</div>
</li>`,
)}
</ol>
${timeline.length === 0 ? html`<p class="muted">${orNone(null)} No stored event names this call (storage-memory forgets its oldest finished events).</p>` : ""}`,
  );
}
