import { type EventCounts, type StoredEvent, eventStatuses } from "@callhooks/webhook-core";
import { type InboxQuery, PAGE_SIZE, RANGES, formatCursor, inboxHref } from "../filters.js";
import { type Html, html } from "../html.js";
import { callHref, eventHref } from "../links.js";
import { duration, orNone, statusChip, time } from "../views/format.js";
import { type PageContext, layout } from "../views/layout.js";

export interface InboxData {
  query: InboxQuery;
  counts: EventCounts;
  events: StoredEvent[];
  /** The storage ignored the cursor: pages may repeat events. */
  cursorIgnored: boolean;
}

export function countsBar(ctx: PageContext, query: InboxQuery, counts: EventCounts): Html {
  const total = eventStatuses.reduce((sum, status) => sum + counts[status], 0);
  const chip = (status: string, label: Html | string, n: number) =>
    html`<a class="count ${query.form.status === status ? "selected" : ""}" href="${inboxHref(ctx.root, query.form, { status, before: undefined })}" data-status="${status || "all"}">${label} <b>${n.toLocaleString("en-US")}</b></a>`;
  return html`${chip("", "all", total)}${eventStatuses.map((status) => chip(status, statusChip(status), counts[status]))}`;
}

export function inboxRows(ctx: PageContext, events: readonly StoredEvent[]): Html {
  if (events.length === 0) return html`<tr><td colspan="8" class="empty">No events match.</td></tr>`;
  return html`${events.map(
    (event) => html`<tr data-id="${event.id}">
<td>${time(event.receivedAt)}</td>
<td>${event.provider}</td>
<td><a href="${eventHref(ctx.root, event.id)}">${event.type}</a></td>
<td>${statusChip(event.status)}</td>
<td class="num">${event.attempts}</td>
<td>${event.callId === null ? orNone(null) : html`<a href="${callHref(ctx.root, event.provider, event.callId, event.orgId)}">${event.callId}</a>`}</td>
<td>${orNone(event.orgId)}</td>
<td class="num">${duration(event.durationMs)}</td>
</tr>`,
  )}`;
}

function filterForm(ctx: PageContext, query: InboxQuery): Html {
  const { form } = query;
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" ${value === current ? html`selected` : ""}>${label}</option>`;
  const input = (name: keyof InboxQuery["form"], label: string, placeholder = "", type = "text") =>
    html`<label>${label}<input type="${type}" name="${name}" value="${form[name]}" placeholder="${placeholder}"></label>`;
  return html`<form class="filters" method="get" action="${ctx.root}">
<label>Status<select name="status">${option("", "any", form.status)}${eventStatuses.map((s) => option(s, s, form.status))}</select></label>
${input("provider", "Provider", "retell, mightycall…")}
${input("type", "Type", "call_ended…")}
${input("call", "Call id")}
${input("org", "Organisation")}
<label>Received<select name="range">${option("", "any time", form.range)}${Object.keys(RANGES).map((r) => option(r, `last ${r}`, form.range))}</select></label>
${input("since", "From (UTC)", "2026-03-14T09:00")}
${input("until", "Until (UTC)", "2026-03-14T18:00")}
<button type="submit">Filter</button>
<a class="reset" href="${ctx.root}">Reset</a>
</form>`;
}

export function inboxPage(ctx: PageContext, data: InboxData): Html {
  const { query, events } = data;
  const last = events.at(-1);
  const firstPage = query.before === undefined;
  const older = last && events.length >= PAGE_SIZE ? inboxHref(ctx.root, query.form, { before: formatCursor(last) }) : undefined;
  const live = firstPage && ctx.pollMs > 0;
  return layout(
    ctx,
    "Inbox",
    "inbox",
    html`<h1>Inbox</h1>
<div class="counts" id="counts">${countsBar(ctx, query, data.counts)}</div>
${filterForm(ctx, query)}
${data.cursorIgnored ? html`<p class="warning">This storage ignores the page cursor (<code>EventFilter.before</code>): pages may repeat events.</p>` : ""}
${live ? html`<p class="live" id="live" data-src="${inboxHref(`${ctx.root}api/inbox`, query.form)}">Live: new deliveries appear here as they arrive.</p>` : ""}
<table class="events">
<thead><tr><th>Received</th><th>Provider</th><th>Type</th><th>Status</th><th class="num">Attempts</th><th>Call</th><th>Organisation</th><th class="num">Handler</th></tr></thead>
<tbody id="rows">${inboxRows(ctx, events)}</tbody>
</table>
<nav class="pages">${firstPage ? "" : html`<a href="${inboxHref(ctx.root, query.form)}">← Newest</a>`}${older ? html`<a href="${older}" rel="next">Older →</a>` : ""}</nav>`,
  );
}
