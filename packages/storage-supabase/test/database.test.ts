import type { ClaimRequest, RecordPatch } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import { type SupabaseStorage, SupabaseStorageError } from "../src/index.js";
import { serviceClient, stack, storageFor } from "./helpers.js";
import { sql } from "./sql.js";

const T0 = 1_800_000_000_000;
let counter = 0;
const provider = () => `db-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

function claim(p: string, key: string, records: RecordPatch[] = [], overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    event: { provider: p, key, type: "test", callId: null, orgId: null, payload: { key }, receivedAt: T0 },
    records,
    mode: "complete",
    leaseMs: 30_000,
    now: T0,
    ...overrides,
  };
}

const patch = (
  p: string,
  kind: RecordPatch["kind"],
  id: string,
  version: string,
  fields: RecordPatch["fields"],
  extra: Partial<RecordPatch> = {},
): RecordPatch => ({
  kind,
  provider: p,
  id,
  orgId: null,
  eventType: `type_${version}`,
  version,
  fields,
  ...extra,
});

describe.skipIf(!stack)("storage-supabase in the database", () => {
  const info = stack!;
  let storage: SupabaseStorage;
  let db: SupabaseClient;
  beforeAll(() => {
    storage = storageFor(info);
    db = serviceClient(info);
  });

  it("fills the typed columns of messages, recordings and reports, for apps' own queries", async () => {
    const p = provider();
    await storage.claim(
      claim(p, "k", [
        patch(
          p,
          "message",
          "sms1",
          "20",
          { direction: "inbound", from: "+1", to: "+2", businessNumber: "+2", body: "Hi ✓", status: "received", sentAt: T0 },
          { orgId: "org" },
        ),
        patch(p, "recording", "rec1", "50", {
          callId: "c1",
          url: "https://r/1.mp3",
          durationMs: 61_000.4,
          format: "mp3",
          sizeBytes: 123,
          availableAt: T0,
        }),
        patch(p, "report", "rep1", "10", {
          reportType: "hourly",
          date: "2026-03-14",
          hour: 0,
          metrics: { calls: { value: 3, unit: "count" } },
          generatedAt: T0,
        }),
      ]),
    );
    const message = await db
      .from("callhooks_messages")
      .select("direction,from_number,to_number,business_number,body,status,sent_at,org_id")
      .eq("provider", p)
      .single();
    expect(message.data).toMatchObject({
      direction: "inbound",
      from_number: "+1",
      to_number: "+2",
      business_number: "+2",
      body: "Hi ✓",
      status: "received",
      org_id: "org",
    });
    expect(Date.parse(message.data?.sent_at)).toBe(T0);
    const recording = await db
      .from("callhooks_recordings")
      .select("call_id,url,duration_ms,format,size_bytes,available_at")
      .eq("provider", p)
      .single();
    expect(recording.data).toMatchObject({ call_id: "c1", url: "https://r/1.mp3", duration_ms: 61_000, format: "mp3", size_bytes: 123 });
    const report = await db.from("callhooks_reports").select("report_type,report_date,report_hour,metrics").eq("provider", p).single();
    expect(report.data).toEqual({
      report_type: "hourly",
      report_date: "2026-03-14",
      report_hour: 0,
      metrics: { calls: { value: 3, unit: "count" } },
    });
  });

  it("never fails a claim over a field of the wrong type: the typed column is just null", async () => {
    const p = provider();
    const result = await storage.claim(
      claim(p, "odd", [
        patch(p, "call", "c", "10", { startedAt: "yesterday", durationMs: 1e300, successful: "yes", costCents: "n/a" }),
        patch(p, "report", "r", "10", { date: "2026-02-30", hour: 99 }),
      ]),
    );
    expect(result.outcome).toBe("claimed");
    const call = await db.from("callhooks_calls").select("started_at,duration_ms,successful,cost_cents").eq("provider", p).single();
    expect(call.data).toEqual({ started_at: null, duration_ms: null, successful: null, cost_cents: null });
    expect((await storage.getCall(p, "c"))?.fields).toMatchObject({ startedAt: "yesterday", durationMs: 1e300 });
    const report = await db.from("callhooks_reports").select("report_date,report_hour").eq("provider", p).single();
    expect(report.data).toEqual({ report_date: null, report_hour: null });
  });

  it("is all or nothing: a claim whose record merge fails leaves no event behind", async () => {
    const p = provider();
    const bad = { ...patch(p, "call", "c", "10", { status: "x" }), kind: "voicemail" as RecordPatch["kind"] };
    const error = await storage.claim(claim(p, "k", [patch(p, "call", "c0", "10", { status: "ok" }), bad])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SupabaseStorageError);
    expect((error as Error).message).toMatch(/unknown record kind/);
    expect(await storage.listEvents({ provider: p })).toEqual([]);
    expect(await storage.getCall(p, "c0")).toBeNull();
    // The provider's retry (with a sound patch) then records it normally.
    expect((await storage.claim(claim(p, "k", [patch(p, "call", "c0", "10", { status: "ok" })]))).outcome).toBe("claimed");
  });

  it("stores text PostgreSQL cannot hold (NUL, lone surrogates) instead of failing the event forever", async () => {
    const p = provider();
    const payload = { note: "a\u0000b", broken: "x\uD800y", emoji: "ok 👍", "k\u0000": 1 };
    const result = await storage.claim({
      ...claim(p, "nul", [patch(p, "call", "c", "10", { transcript: "he\u0000llo" })]),
      event: { ...claim(p, "nul").event, payload },
    });
    expect(result.outcome).toBe("claimed");
    expect((await storage.getEvent(result.event.id))?.payload).toEqual({
      note: "a\uFFFDb",
      broken: "x\uFFFDy",
      emoji: "ok 👍",
      "k\uFFFD": 1,
    });
    expect((await storage.getCall(p, "c"))?.fields.transcript).toBe("he\uFFFDllo");
    // The same when the pipeline hands the body's text along: the text is what is scanned then.
    const text = JSON.stringify(payload);
    const withText = await storage.claim({
      ...claim(p, "nul-text"),
      event: { ...claim(p, "nul-text").event, payload: JSON.parse(text), payloadText: text },
    });
    expect((await storage.getEvent(withText.event.id))?.payload).toEqual({
      note: "a\uFFFDb",
      broken: "x\uFFFDy",
      emoji: "ok 👍",
      "k\uFFFD": 1,
    });
  });

  it("reads a patch's data from the stored payload when it is the payload or a member of it", async () => {
    const p = provider();
    const payload = { event: "x", call: { call_id: "c", nested: [1, { a: null }] }, "": { odd: true } };
    const list = [{ a: 1 }, { b: 2 }];
    await storage.claim({
      ...claim(p, "whole", [patch(p, "message", "m", "10", { body: "x" }, { data: payload })]),
      event: { ...claim(p, "whole").event, payload },
    });
    await storage.claim({
      ...claim(p, "member", [
        patch(p, "call", "c", "10", { status: "ok" }, { data: payload.call }),
        patch(p, "report", "r", "10", {}, { data: payload[""] }),
      ]),
      event: { ...claim(p, "member").event, payload },
    });
    await storage.claim({
      ...claim(p, "array", [patch(p, "recording", "r", "10", {}, { data: list[1] as Record<string, unknown> })]),
      event: { ...claim(p, "array").event, payload: list },
    });
    expect((await storage.getRecord("message", p, "m"))?.data).toEqual(payload);
    expect((await storage.getCall(p, "c"))?.data).toEqual(payload.call);
    expect((await storage.getRecord("report", p, "r"))?.data).toEqual({ odd: true });
    expect((await storage.getRecord("recording", p, "r"))?.data).toEqual({ b: 2 });
  });

  it("merges concurrent events into the same records without losing a field or deadlocking", async () => {
    const p = provider();
    const n = 24;
    const claims = Array.from({ length: n }, (_, i) => {
      // Half touch a then b, half b then a: without a lock order these would deadlock.
      const records = [
        patch(p, "call", "a", `v${String(i).padStart(2, "0")}`, { [`f${i}`]: i }),
        patch(p, "call", "b", `v${String(i).padStart(2, "0")}`, { [`f${i}`]: i, last: i }),
      ];
      return storage.claim(claim(p, `e${i}`, i % 2 ? records.reverse() : records, { mode: "lease" }));
    });
    const results = await Promise.all(claims);
    expect(results.every((r) => r.outcome === "claimed")).toBe(true);
    const b = await storage.getCall(p, "b");
    expect(Object.keys((await storage.getCall(p, "a"))?.fields ?? {}).filter((k) => k.startsWith("f"))).toHaveLength(n);
    expect(b?.fields).toMatchObject({ last: n - 1 });
    expect(b?.eventTypes).toHaveLength(n);
  });

  it("lists beyond the API's 1000-row cap by reading pages", async () => {
    const p = provider();
    await sql(
      info,
      `insert into public.callhooks_events (provider, event_key, event_type, status, received_at, updated_at)
       select '${p}', 'k' || i, 'bulk', 'processed', to_timestamp(${T0 / 1000} + i), to_timestamp(${T0 / 1000})
       from generate_series(1, 1205) i`,
    );
    expect(await storage.listEvents({ provider: p })).toHaveLength(100);
    const all = await storage.listEvents({ provider: p, limit: 5000 });
    expect(all).toHaveLength(1205);
    expect(new Set(all.map((e) => e.id)).size).toBe(1205);
    expect(all[0]?.key).toBe("k1205");
    expect(all.at(-1)?.key).toBe("k1");
    expect((await storage.countEvents({ provider: p })).processed).toBe(1205);
  });

  it("works in another exposed schema (the `schema` option), and only there", async () => {
    const alt = storageFor(info, { schema: "callhooks_alt" });
    const p = provider();
    const result = await alt.claim(claim(p, "k", [patch(p, "call", "c", "10", { status: "ok" })]));
    expect(result.outcome).toBe("claimed");
    expect((await alt.getCall(p, "c"))?.fields.status).toBe("ok");
    expect(await storage.getEvent(result.event.id)).toBeNull();
    expect(await storage.getCall(p, "c")).toBeNull();
    expect((await sql(info, `select count(*) from callhooks_alt.callhooks_events where provider = '${p}'`)).trim()).toBe("1");
  });
});
