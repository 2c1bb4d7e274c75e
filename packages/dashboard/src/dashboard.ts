import { type EventCursor, type StoredEvent, type WebhookHandler, replayEvents } from "@callhooks/webhook-core";
import { DASHBOARD_JS } from "./assets/script.js";
import { DASHBOARD_CSS } from "./assets/style.js";
import { authorizer } from "./auth.js";
import { sameOriginRequest } from "./csrf.js";
import { PAGE_SIZE, parseInboxQuery } from "./filters.js";
import { html } from "./html.js";
import { htmlResponse, jsonResponse, respond, textResponse } from "./http.js";
import { callPage } from "./pages/call.js";
import { type ChartPeriod, chartsPage } from "./pages/charts.js";
import { REPLAYABLE, eventPage, isReplayOutcome } from "./pages/event.js";
import { countsBar, inboxPage, inboxRows } from "./pages/inbox.js";
import { buildTimeline } from "./timeline.js";
import type { Dashboard, DashboardOptions } from "./types.js";
import { type PageContext, layout } from "./views/layout.js";

const CALL_EVENTS_LIMIT = 200;
const MINUTE = 60_000;

/** `/admin/callhooks/` → `/admin/callhooks`; `/` → `` (the root). */
function normaliseBase(basePath: string | undefined): string {
  const base = (basePath ?? "/").trim();
  if (!base.startsWith("/") || /[?#]/.test(base))
    throw new TypeError(`basePath must be a path starting with "/", such as "/admin/callhooks" (got ${JSON.stringify(basePath)}).`);
  return base.replace(/\/+$/, "");
}

function checkHandlers(handlers: DashboardOptions["handlers"]): void {
  const list = handlers === undefined ? [] : Array.isArray(handlers) ? handlers : [handlers];
  for (const handler of list as readonly WebhookHandler[]) {
    if (typeof handler?.runStored !== "function" || typeof handler.provider !== "string") {
      throw new TypeError("handlers must be handlers made by createRetellHandler or createMightyCallHandler.");
    }
  }
}

/** Strictly older than the cursor in the inbox order `(receivedAt desc, id desc)`. */
const olderThan = (event: StoredEvent, cursor: EventCursor) =>
  event.receivedAt < cursor.receivedAt || (event.receivedAt === cursor.receivedAt && event.id < cursor.id);

const ASSETS: Record<string, { body: string; type: string }> = {
  "dashboard.css": { body: DASHBOARD_CSS, type: "text/css; charset=utf-8" },
  "dashboard.js": { body: DASHBOARD_JS, type: "text/javascript; charset=utf-8" },
};

/**
 * A web console over a `WebhookStorage`: the inbox with its filters and counts, each event with its
 * payload and Replay, each call with the events that built it, charts, and live updates. It speaks
 * Web `Request`/`Response`, so it mounts in any framework or runtime; see the README for Express,
 * Hono, Fastify, Deno, Supabase Edge Functions, Bun and Workers.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  if (!options || typeof options !== "object") throw new TypeError("createDashboard needs options: { storage, auth, basePath, handlers }.");
  const { authorize, basic } = authorizer(options.auth);
  const storage = options.storage;
  if (!storage || typeof storage.listEvents !== "function" || typeof storage.getEvent !== "function") {
    throw new TypeError("createDashboard needs `storage`: the WebhookStorage your handlers record into.");
  }
  checkHandlers(options.handlers);
  const basePath = normaliseBase(options.basePath);
  const readOnly = options.readOnly === true;
  const pollMs = options.pollMs ?? 3_000;
  const allowedOrigins = options.allowedOrigins ?? [];
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((error: unknown) => console.error("[callhooks dashboard] storage error:", error));

  const context = (depth: number): PageContext => ({ root: depth <= 0 ? "./" : "../".repeat(depth), readOnly, pollMs });

  const notFound = (ctx: PageContext, what: string) =>
    htmlResponse(
      layout(ctx, "Not found", "", html`<h1>Not found</h1><p>${what}</p><p><a href="${ctx.root}">Back to the inbox</a></p>`),
      404,
    );

  async function inboxData(params: URLSearchParams, paged: boolean) {
    const query = parseInboxQuery(params, now());
    const before = paged ? query.before : undefined;
    const [listed, counts] = await Promise.all([
      storage.listEvents({ ...query.selection, ...(before && { before }), withPayload: false, limit: PAGE_SIZE }),
      storage.countEvents(query.selection),
    ]);
    // A storage that ignores the cursor gives the first page again: drop what is not older, and say so.
    const events = before ? listed.filter((event) => olderThan(event, before)) : listed;
    return { query: { ...query, before }, counts, events, cursorIgnored: events.length < listed.length };
  }

  async function charts(ctx: PageContext, params: URLSearchParams): Promise<Response> {
    const provider = (params.get("provider") ?? "").trim().slice(0, 200);
    if (!storage.eventStats) return htmlResponse(chartsPage(ctx, null, provider));
    const t = now();
    const periods = [
      { key: "hour", title: "Last hour", bucketMs: MINUTE, span: 3_600_000 },
      { key: "day", title: "Last 24 hours", bucketMs: 10 * MINUTE, span: 86_400_000 },
    ].map(({ span, ...period }) => {
      const until = Math.ceil((t + 1) / period.bucketMs) * period.bucketMs;
      return { ...period, since: until - span, until };
    });
    const stats = await Promise.all(
      periods.map((p) => storage.eventStats?.({ ...(provider && { provider }), since: p.since, until: p.until, bucketMs: p.bucketMs })),
    );
    return htmlResponse(
      chartsPage(
        ctx,
        periods.map((p, i) => ({ ...p, stats: stats[i] }) as ChartPeriod),
        provider,
      ),
    );
  }

  async function replay(request: Request, id: string): Promise<Response> {
    if (readOnly) return jsonResponse({ error: "read_only", details: "This console is read-only." }, 403);
    if (request.method !== "POST") return respond(405, null, { allow: "POST" });
    if (!sameOriginRequest(request, allowedOrigins)) {
      return jsonResponse({ error: "cross_site", details: "Replay is accepted from the console's own pages only." }, 403);
    }
    const event = await storage.getEvent(id);
    if (!event) return jsonResponse({ error: "not_found", details: "No event has this id." }, 404);
    if (!REPLAYABLE.has(event.status)) {
      return jsonResponse({ error: "not_replayable", details: `A ${event.status} event is already on its way.` }, 409);
    }
    const result = await replayEvents({ storage, ids: [id], ...(options.handlers && { handlers: options.handlers }), onError, logger: {} });
    const outcome = result.events[0];
    return jsonResponse({
      outcome: outcome?.outcome ?? "not_found",
      ...(outcome?.reason && { reason: outcome.reason }),
      ...(outcome?.attempt && { attempt: outcome.attempt }),
    });
  }

  async function route(request: Request, url: URL, segments: string[]): Promise<Response> {
    const ctx = context(segments.length - 1);
    const [first, ...rest] = segments;
    const read = request.method === "GET" || request.method === "HEAD";
    if (first === "api" && rest[0] === "events" && rest.length === 3 && rest[2] === "replay") return replay(request, rest[1] as string);
    if (!read) return respond(405, null, { allow: "GET, HEAD" });
    if (first === "" && rest.length === 0) {
      const data = await inboxData(url.searchParams, true);
      return htmlResponse(inboxPage(ctx, data));
    }
    if (first === "api" && rest.length === 1 && rest[0] === "inbox") {
      // Rows for the inbox page, one level up: links relative to it.
      const pageCtx = context(0);
      const data = await inboxData(url.searchParams, false);
      return jsonResponse({ rows: inboxRows(pageCtx, data.events).value, counts: countsBar(pageCtx, data.query, data.counts).value });
    }
    if (first === "charts" && rest.length === 0) return charts(ctx, url.searchParams);
    if (first === "events" && rest.length === 1) {
      const event = await storage.getEvent(rest[0] as string);
      if (!event) return notFound(ctx, "No event has this id (storage-memory forgets its oldest finished events).");
      const replayed = url.searchParams.get("replayed");
      return htmlResponse(eventPage(ctx, event, isReplayOutcome(replayed) ? replayed : undefined));
    }
    if (first === "calls" && rest.length === 2) {
      const [provider, callId] = rest as [string, string];
      const orgId = url.searchParams.has("org") ? url.searchParams.get("org") || null : undefined;
      const record = await storage.getCall(provider, callId, orgId);
      if (!record) return notFound(ctx, "No call record has this id.");
      const listed = await storage.listEvents({
        provider,
        callId,
        ...(record.orgId !== null && { orgId: record.orgId }),
        withPayload: false,
        limit: CALL_EVENTS_LIMIT,
      });
      const events = listed.filter((event) => event.orgId === record.orgId);
      return htmlResponse(callPage(ctx, record, buildTimeline(record, events), listed.length >= CALL_EVENTS_LIMIT));
    }
    if (first === "assets" && rest.length === 1) {
      const asset = Object.hasOwn(ASSETS, rest[0] as string) ? ASSETS[rest[0] as string] : undefined;
      if (asset) return respond(200, asset.body, { "content-type": asset.type, "cache-control": "private, max-age=300" });
    }
    return notFound(ctx, "There is no page here.");
  }

  return {
    basePath,
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      const path = url.pathname;
      if (path !== basePath && !path.startsWith(`${basePath}/`)) return textResponse("Not found.", 404);
      // Before anything is read or routed: without credentials, nothing but this.
      if (!(await authorize(request))) {
        return textResponse(
          "Authentication required.",
          401,
          basic ? { "www-authenticate": 'Basic realm="callhooks", charset="UTF-8"' } : {},
        );
      }
      if (path === basePath) {
        // Relative links need the trailing slash; a relative Location keeps any prefix a proxy added.
        return respond(308, null, { location: `./${basePath.split("/").pop()}/${url.search}` });
      }
      let segments: string[];
      try {
        segments = path
          .slice(basePath.length + 1)
          .split("/")
          .map(decodeURIComponent);
      } catch {
        return textResponse("Malformed path.", 400);
      }
      try {
        return await route(request, url, segments);
      } catch (error) {
        try {
          onError(error);
        } catch {
          // reporting must not turn a 503 into a crash
        }
        const ctx = context(segments.length - 1);
        // The message stays in the server log: it may say more about the set-up than a page should.
        return htmlResponse(
          layout(ctx, "Storage error", "", html`<h1>The storage did not answer</h1><p>Try again; the details are in the server log.</p>`),
          503,
        );
      }
    },
  };
}
