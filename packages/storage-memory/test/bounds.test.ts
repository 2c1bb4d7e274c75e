import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import type { ClaimRequest } from "@callhooks/webhook-core";

const claim = (key: string, mode: ClaimRequest["mode"], now = 1): ClaimRequest => ({
  event: { provider: "p", key, type: "t", callId: null, orgId: null, payload: {}, receivedAt: now },
  records: [
    { kind: "call", provider: "p", id: key, orgId: null, eventType: "t", version: "10.0000000000000000.k", fields: { status: "x" } },
  ],
  mode,
  leaseMs: 1000,
  now,
});

describe("storage-memory bounds", () => {
  it("forgets the oldest finished events first once past maxEvents", async () => {
    const storage = createMemoryStorage({ maxEvents: 3 });
    const pending = await storage.claim(claim("pending", "pending"));
    for (const key of ["a", "b", "c"]) await storage.claim(claim(key, "complete"));
    expect(storage.size().events).toBe(3);
    expect(await storage.getEvent(pending.event.id)).not.toBeNull(); // unfinished work is kept
    expect((await storage.claim(claim("a", "complete"))).outcome).toBe("claimed"); // "a" was forgotten
    expect((await storage.claim(claim("c", "complete"))).outcome).toBe("duplicate");
  });

  it("keeps payloads for the last maxPayloads processed events only, and still detects duplicates of the rest", async () => {
    const storage = createMemoryStorage({ maxPayloads: 2 });
    const ids: string[] = [];
    for (const key of ["a", "b", "c"]) {
      const result = await storage.claim({ ...claim(key, "complete"), event: { ...claim(key, "complete").event, payload: { key } } });
      ids.push(result.event.id);
    }
    expect((await storage.getEvent(ids[0]!))?.payload).toBeNull();
    expect((await storage.getEvent(ids[1]!))?.payload).toEqual({ key: "b" });
    expect((await storage.getEvent(ids[2]!))?.payload).toEqual({ key: "c" });
    expect((await storage.claim(claim("a", "complete"))).outcome).toBe("duplicate");
    expect(await storage.requeue([ids[0]!, ids[1]!], 5)).toBe(1); // nothing left to run again for "a"
    // An unfinished event keeps its payload whatever the window.
    const pending = await storage.claim({ ...claim("p", "pending"), event: { ...claim("p", "pending").event, payload: { key: "p" } } });
    for (const key of ["d", "e", "f"]) await storage.claim(claim(key, "complete"));
    expect((await storage.getEvent(pending.event.id))?.payload).toEqual({ key: "p" });
  });

  it("never drops a dead event's payload, so it stays replayable and retryable", async () => {
    const storage = createMemoryStorage({ maxPayloads: 0 });
    const withPayload = (key: string, mode: ClaimRequest["mode"], now = 1) => ({
      ...claim(key, mode, now),
      event: { ...claim(key, mode, now).event, payload: { key } },
    });
    const leased = await storage.claim(withPayload("dead", "lease"));
    if (leased.outcome !== "claimed") throw new Error("not claimed");
    await storage.fail({ id: leased.event.id, leaseToken: leased.leaseToken as string }, { error: "x", retryAt: null, now: 2 });
    expect((await storage.getEvent(leased.event.id))?.payload).toEqual({ key: "dead" });
    const done = await storage.claim(withPayload("done", "complete"));
    expect((await storage.getEvent(done.event.id))?.payload).toBeNull();
    await storage.requeue([done.event.id], 3); // nothing to run again: left as it is
    expect((await storage.getEvent(done.event.id))?.status).toBe("processed");
    const failedAgain = await storage.claim(withPayload("dead", "lease", 4)); // the provider delivers it again
    expect(failedAgain.outcome).toBe("claimed");
    expect(failedAgain.event.payload).toEqual({ key: "dead" });
  });

  it("counts an event finished again after a replay as recent", async () => {
    const storage = createMemoryStorage({ maxPayloads: 2 });
    const first = await storage.claim({ ...claim("x", "complete"), event: { ...claim("x", "complete").event, payload: { key: "x" } } });
    await storage.claim(claim("y", "complete"));
    await storage.requeue([first.event.id], 3);
    const [due] = await storage.claimDue({ limit: 1, leaseMs: 1000, now: 4 });
    await storage.complete({ id: due!.event.id, leaseToken: due!.leaseToken }, { now: 5 });
    await storage.claim(claim("z", "complete")); // pushes x's first finish out of the window, not its second
    expect((await storage.getEvent(first.event.id))?.payload).toEqual({ key: "x" });
  });

  it("keeps at most maxRecords records, dropping the least recently updated", async () => {
    const storage = createMemoryStorage({ maxRecords: 2 });
    await storage.claim(claim("r1", "complete"));
    await storage.claim(claim("r2", "complete"));
    await storage.claim(claim("r3", "complete"));
    expect(storage.size().records).toBe(2);
    expect(await storage.getCall("p", "r1")).toBeNull();
    expect(await storage.getCall("p", "r3")).not.toBeNull();
  });

  it("stays at its cap under many distinct events", async () => {
    const storage = createMemoryStorage({ maxEvents: 100, maxRecords: 50, maxPayloads: 10 });
    for (let i = 0; i < 5000; i++) await storage.claim(claim(`e${i}`, "complete", i));
    expect(storage.size()).toMatchObject({ events: 100, records: 50 });
  });

  it("bounds what it holds in bytes: a huge payload costs about its own size, and past maxBytes payloads, then finished events, go first", async () => {
    const big = (key: string, mode: ClaimRequest["mode"], size: number) => ({
      ...claim(key, mode),
      event: { ...claim(key, mode).event, payload: { key, blob: "x".repeat(size) } },
    });
    const storage = createMemoryStorage({ maxBytes: 10 * 1024 * 1024 });
    // A 1 MiB value is held once, as its text's UTF-8 bytes: about 1 MiB, not a parsed tree and its copies.
    await storage.claim(big("one", "complete", 1024 * 1024));
    expect(storage.size().bytes).toBeGreaterThan(1024 * 1024);
    expect(storage.size().bytes).toBeLessThan(1.05 * 1024 * 1024);
    const pending = await storage.claim(big("unfinished", "pending", 1024 * 1024));
    for (let i = 0; i < 20; i++) await storage.claim(big(`done-${i}`, "complete", 1024 * 1024));
    expect(storage.size().bytes).toBeLessThanOrEqual(10 * 1024 * 1024);
    // Unfinished work keeps its payload; the newest processed events still catch duplicates.
    expect((await storage.getEvent(pending.event.id))?.payload).toMatchObject({ key: "unfinished" });
    expect((await storage.claim(big("done-19", "complete", 1))).outcome).toBe("duplicate");
  });

  it("counts what it holds exactly when events are forgotten at maxEvents while their payloads are still kept", async () => {
    const sized = (key: string, mode: ClaimRequest["mode"]) => ({
      ...claim(key, mode),
      event: { ...claim(key, mode).event, payload: { key, blob: "z".repeat(1000) } },
    });
    for (const caps of [
      { maxEvents: 2, maxPayloads: 2 },
      { maxEvents: 3, maxPayloads: 10 },
    ]) {
      const storage = createMemoryStorage(caps);
      const one = createMemoryStorage();
      await one.claim(sized("a", "complete"));
      const weight = one.size().bytes; // what one such event costs
      // A pending event finished late, after newer ones: forgotten at the cap while still queued.
      const late = await storage.claim(sized("late", "lease"));
      if (late.outcome !== "claimed") throw new Error("not claimed");
      for (const key of ["b", "c"]) await storage.claim(sized(key, "complete"));
      await storage.complete({ id: late.event.id, leaseToken: late.leaseToken as string }, { now: 2 });
      for (const key of ["d", "e", "f", "g", "h"]) await storage.claim(sized(key, "complete"));
      const { events, bytes } = storage.size();
      expect(events).toBe(caps.maxEvents);
      expect(bytes).toBe(events * weight);
    }
  });

  it("refuses a new event, rather than forget unfinished work, once unfinished events fill maxBytes", async () => {
    const storage = createMemoryStorage({ maxBytes: 1.5 * 1024 * 1024 });
    const pendingOf = (key: string) => ({
      ...claim(key, "pending"),
      event: { ...claim(key, "pending").event, payload: { blob: "y".repeat(600 * 1024) } },
    });
    await storage.claim(pendingOf("a"));
    await storage.claim(pendingOf("b"));
    await expect(storage.claim(pendingOf("c"))).rejects.toThrow(/storage-memory is full/);
    expect(storage.size().events).toBe(2);
  });

  it("keeps the body's own text when the pipeline hands it over, and parses it only when read", async () => {
    const storage = createMemoryStorage();
    const text = '{"event":"call_ended","call":{"call_id":"c1","note":"kept as sent"}}';
    const result = await storage.claim({
      ...claim("t", "complete"),
      event: { ...claim("t", "complete").event, payload: JSON.parse(text), payloadText: text },
    });
    expect(storage.size().bytes).toBeLessThan(2 * text.length + 512);
    expect((await storage.getEvent(result.event.id))?.payload).toEqual(JSON.parse(text));
  });

  it("keeps a large body as UTF-8 and reads it back the same, whatever its characters", async () => {
    const storage = createMemoryStorage();
    // Over the size kept as bytes, with text that is not ASCII (2-, 3- and 4-byte UTF-8) and escapes.
    const note = "ünïcødé ✓ 𝄞 \u2028 ".repeat(1000);
    const text = JSON.stringify({ event: "call_ended", call: { call_id: "c2", note } });
    const result = await storage.claim({
      ...claim("u", "complete"),
      event: { ...claim("u", "complete").event, payload: JSON.parse(text), payloadText: text },
    });
    // Its UTF-8 size, not 2 bytes a UTF-16 unit as a string would be counted.
    expect(storage.size().bytes).toBeGreaterThanOrEqual(new TextEncoder().encode(text).byteLength);
    expect(storage.size().bytes).toBeLessThan(2 * text.length);
    expect((await storage.getEvent(result.event.id))?.payload).toEqual(JSON.parse(text));
  });

  it("hands copies out, so callers cannot change what is stored", async () => {
    const storage = createMemoryStorage();
    const result = await storage.claim(claim("x", "complete"));
    result.event.status = "dead";
    const call = await storage.getCall("p", "x");
    call!.fields.status = "tampered";
    expect((await storage.getEvent(result.event.id))?.status).toBe("processed");
    expect((await storage.getCall("p", "x"))?.fields.status).toBe("x");
  });

  it("refuses a cap below one", () => {
    expect(() => createMemoryStorage({ maxEvents: 0 })).toThrow(RangeError);
    expect(() => createMemoryStorage({ maxPayloads: -1 })).toThrow(RangeError);
    expect(() => createMemoryStorage({ maxBytes: 0 })).toThrow(RangeError);
  });
});
