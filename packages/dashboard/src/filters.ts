import { type EventCursor, type EventSelection, type EventStatus, eventStatuses } from "@callhooks/webhook-core";

export const PAGE_SIZE = 50;

/** Presets of the time filter: how far back from now. */
export const RANGES: Record<string, number> = { "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };

export interface InboxQuery {
  selection: EventSelection;
  /** The filters as the form shows them (strings), to keep them in links. */
  form: Record<"status" | "type" | "provider" | "call" | "org" | "range" | "since" | "until", string>;
  before: EventCursor | undefined;
}

const isStatus = (value: string): value is EventStatus => (eventStatuses as readonly string[]).includes(value);

/** `2026-03-14T10:22` (a datetime-local input, read as UTC), an ISO time, or epoch ms. */
function parseTime(value: string): number | undefined {
  if (value === "") return undefined;
  if (/^\d{10,}$/.test(value)) return Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A cursor in a URL: `<receivedAt>_<id>`. */
export const formatCursor = (cursor: EventCursor) => `${cursor.receivedAt}_${cursor.id}`;

export function parseCursor(value: string | null): EventCursor | undefined {
  const match = /^(\d{1,16})_([\w-]{1,100})$/.exec(value ?? "");
  return match ? { receivedAt: Number(match[1]), id: match[2] as string } : undefined;
}

export function parseInboxQuery(params: URLSearchParams, now: number): InboxQuery {
  const get = (name: string) => (params.get(name) ?? "").trim().slice(0, 200);
  const form = {
    status: isStatus(get("status")) ? get("status") : "",
    type: get("type"),
    provider: get("provider"),
    call: get("call"),
    org: get("org"),
    range: Object.hasOwn(RANGES, get("range")) ? get("range") : "",
    since: get("since"),
    until: get("until"),
  };
  const selection: EventSelection = {};
  if (form.status) selection.status = form.status as EventStatus;
  if (form.type) selection.type = form.type;
  if (form.provider) selection.provider = form.provider;
  if (form.call) selection.callId = form.call;
  if (form.org) selection.orgId = form.org;
  const since = form.range ? now - (RANGES[form.range] as number) : parseTime(form.since);
  const until = parseTime(form.until);
  if (since !== undefined) selection.since = since;
  if (until !== undefined) selection.until = until;
  return { selection, form, before: parseCursor(params.get("before")) };
}

/** The inbox's query string with some filters changed (empty values dropped). */
export function inboxHref(root: string, form: InboxQuery["form"], changes: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...changes })) if (value) params.set(name, value);
  const query = params.toString();
  return query ? `${root}?${query}` : root;
}
