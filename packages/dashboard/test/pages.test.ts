import { createMemoryStorage } from "@callhooks/storage-memory";
import type { EventFilter, StoredEvent, WebhookStorage } from "@callhooks/webhook-core";
import { recordVersion } from "@callhooks/webhook-core/storage";
import { describe, expect, it } from "vitest";
import { createDashboard } from "../src/index.js";
import { buildTimeline } from "../src/timeline.js";

const T0 = Date.UTC(2026, 2, 14, 10);

async function seeded(n: number) {
  const storage = createMemoryStorage();
  for (let i = 0; i < n; i++) {
    await storage.claim({
      event: {
        provider: i % 2 ? "retell" : "mightycall",
        key: `k${i}`,
        type: i % 3 ? "call_ended" : "call_started",
        callId: `c${i % 5}`,
        orgId: null,
        payload: { i },
        receivedAt: T0 + Math.floor(i / 2) * 1000,
      },
      records: [],
      mode: i % 4 === 0 ? "pending" : "complete",
      leaseMs: 1000,
      now: T0,
    });
  }
  return storage;
}

const page = async (storage: WebhookStorage, path: string) => {
  const dashboard = createDashboard({ storage, auth: () => true, now: () => T0 + 3_600_000 });
  const response = await dashboard.fetch(new Request(`http://console${path}`));
  return { status: response.status, text: await response.text() };
};
const ids = (text: string) => [...text.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);

describe("the inbox", () => {
  it("pages through every event once, newest first, following its Older link", async () => {
    const storage = await seeded(120);
    const seen: string[] = [];
    let path = "/";
    for (let i = 0; i < 5 && path; i++) {
      const { text } = await page(storage, path);
      seen.push(...(ids(text) as string[]));
      path = /href="\.\/(\?[^"]*before=[^"]*)" rel="next"/.exec(text)?.[1]?.replaceAll("&amp;", "&") ?? "";
      if (path) path = `/${path}`;
    }
    expect(seen).toEqual((await storage.listEvents({ limit: 500 })).map((e) => e.id));
    expect(new Set(seen).size).toBe(120);
  });

  it("filters by status, provider, type and call, and counts per status under the same filters", async () => {
    const storage = await seeded(40);
    const { text } = await page(storage, "/?provider=retell&type=call_ended&call=c1");
    const expected = await storage.listEvents({ provider: "retell", type: "call_ended", callId: "c1" });
    expect(ids(text)).toEqual(expected.map((e) => e.id));
    const counts = await storage.countEvents({ provider: "retell", type: "call_ended", callId: "c1" });
    const shown = (status: string) => Number(new RegExp(`data-status="${status}">.*?<b>(\\d+)</b>`).exec(text)?.[1]);
    expect([shown("processed"), shown("pending"), shown("failed")]).toEqual([counts.processed, counts.pending, counts.failed]);
    expect(counts.processed + counts.pending).toBe(expected.length);
    const pending = await page(storage, "/?status=pending");
    expect(ids(pending.text)).toEqual((await storage.listEvents({ status: "pending" })).map((e) => e.id));
  });

  it("says so, and repeats nothing, when a storage ignores the cursor", async () => {
    const inner = await seeded(60);
    const ignoring: WebhookStorage = {
      ...inner,
      listEvents: ({ before: _ignored, ...filter }: EventFilter = {}) => inner.listEvents(filter),
    };
    const first = await page(ignoring, "/");
    const cursorPath = /href="\.\/(\?[^"]*)" rel="next"/.exec(first.text)?.[1]?.replaceAll("&amp;", "&");
    const second = await page(ignoring, `/${cursorPath}`);
    expect(second.text).toContain("ignores the page cursor");
    expect(ids(second.text).filter((id) => ids(first.text).includes(id))).toEqual([]);
  });
});

describe("charts", () => {
  it("say the storage has no statistics when it lacks the optional eventStats, and everything else works", async () => {
    const { eventStats: _none, ...withoutStats } = await seeded(5);
    expect((await page(withoutStats as WebhookStorage, "/charts")).text).toContain('id="no-stats"');
    expect((await page(withoutStats as WebhookStorage, "/")).status).toBe(200);
  });

  it("draw the storage's buckets as SVG bars", async () => {
    const { text } = await page(await seeded(10), "/charts");
    expect(text).toMatch(/<svg class="chart" id="events-hour"[^>]*>[\s\S]*<rect class="s-processed"/);
  });
});

describe("the event page", () => {
  it("shows the inbound answer an event returned, its timings and its handler's run time", async () => {
    const storage = createMemoryStorage();
    const claimed = await storage.claim({
      event: {
        provider: "retell",
        key: "inbound:1",
        type: "call_inbound",
        callId: null,
        orgId: null,
        payload: { event: "call_inbound" },
        receivedAt: T0,
      },
      records: [],
      mode: "lease",
      leaseMs: 30_000,
      now: T0,
    });
    if (claimed.outcome !== "claimed") throw new Error("not claimed");
    const answer = { call_inbound: { override_agent_id: "agent_after_hours" } };
    await storage.complete(
      { id: claimed.event.id, leaseToken: claimed.leaseToken as string },
      { response: answer, durationMs: 12, now: T0 + 15 },
    );
    const { text } = await page(storage, `/events/${claimed.event.id}`);
    expect(text).toMatch(/<h2>Inbound answer<\/h2>[\s\S]*override_agent_id[\s\S]*agent_after_hours/);
    expect(text).toContain("<th>Handler took</th><td>12 ms</td>");
    expect(text).toContain(`<time datetime="${new Date(T0 + 15).toISOString()}">`);
  });
});

describe("the call timeline", () => {
  const event = (key: string, type: string, receivedAt: number) => ({ id: key, key, type, receivedAt }) as StoredEvent;

  it("names the event that set each field, from the versions' tiebreak (the duplicate key, encoded as recordVersion does)", () => {
    const versions = {
      status: recordVersion(50, 9, "analyzed:ü"),
      summary: recordVersion(50, 9, "analyzed:ü"),
      startedAt: recordVersion(10, 0, "started"),
      "data.call_id": recordVersion(50, 9, "analyzed:ü"),
    };
    const timeline = buildTimeline({ versions }, [
      event("ended", "call_ended", 3),
      event("started", "call_started", 2),
      event("analyzed:ü", "call_analyzed", 1),
    ]);
    expect(timeline.map((t) => [t.event.type, t.fields, t.stage, t.late])).toEqual([
      ["call_analyzed", ["status", "summary", "data.call_id"], 50, false],
      ["call_started", ["startedAt"], 10, true],
      ["call_ended", [], undefined, false],
    ]);
  });
});
