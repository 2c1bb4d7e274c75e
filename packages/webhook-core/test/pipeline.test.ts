import { describe, expect, it, vi } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createRetellHandler,
  RETELL_SIGNATURE_HEADER,
  WebhookConfigError,
  WebhookPayloadTooLargeError,
  type HandlerContext,
  type Observation,
  type RetellHandlerOptions,
  type WebhookStorage,
} from "@callhooks/webhook-core";
import { createSignedRetellRequest, createSignedRetellWebhook, retellSample, signedRetellHeaders } from "@callhooks/webhook-core/testing";
import { recordingLogger, retellFixture } from "./helpers.ts";

const API_KEY = "key_pipeline_0123456789";

function setup(options: Partial<RetellHandlerOptions> = {}) {
  const storage = createMemoryStorage();
  const { lines, logger } = recordingLogger();
  const handler = createRetellHandler({ apiKey: API_KEY, storage, logger, ...options });
  const send = async (event: unknown, extra: { timestamp?: number; headers?: Record<string, string>; key?: string } = {}) => {
    const request = await createSignedRetellRequest(event, {
      apiKey: extra.key ?? API_KEY,
      ...(extra.timestamp !== undefined && { timestamp: extra.timestamp }),
      ...(extra.headers && { headers: extra.headers }),
    });
    const response = await handler.fetch(request);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  };
  return { storage, handler, send, logLines: lines };
}

/** A storage whose every method fails, as a database that is down would. */
function brokenStorage(): WebhookStorage {
  const fail = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432 password=hunter2"));
  return {
    claim: fail,
    complete: fail,
    fail,
    extendLease: fail,
    claimDue: fail,
    requeue: fail,
    getEvent: fail,
    listEvents: fail,
    countEvents: fail,
    getRecord: fail,
    getCall: fail,
  };
}

describe("request checks", () => {
  it("answers 405 with Allow: POST to other methods, without reading the body", async () => {
    const { handler } = setup();
    const response = await handler.fetch(new Request("http://x/", { method: "GET" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toMatchObject({ error: "method_not_allowed" });
    expect((await handler.handle({ method: "PUT", headers: {}, body: "{}" })).status).toBe(405);
  });

  it("answers 413 past maxBodyBytes, from Content-Length or while streaming", async () => {
    const { handler } = setup({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ event: "call_started", pad: "x".repeat(2000) });
    expect((await handler.fetch(await createSignedRetellRequest(big, { apiKey: API_KEY }))).status).toBe(413);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(600));
        if (pulled > 1000) controller.close();
      },
    });
    const response = await handler.fetch(
      new Request("http://x/", {
        method: "POST",
        body: stream,
        headers: { "content-type": "application/json" },
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(10); // it stopped reading instead of buffering the rest
    expect((await handler.handle({ method: "POST", headers: {}, body: big })).status).toBe(413);
    // A string counts in UTF-8 bytes: 400 × "é" is 800 bytes in 400 UTF-16 units.
    const accents = JSON.stringify({ event: "x", pad: "é".repeat(600) });
    expect((await handler.handle({ method: "POST", headers: {}, body: accents })).status).toBe(413);
  });

  it("stops reading at maxBodyBytes even when a Request built in code understates its Content-Length", async () => {
    const { handler } = setup({ maxBodyBytes: 64 * 1024 });
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    // 100 MiB on offer, behind a header that says 10 bytes.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 100 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://x/", {
      method: "POST",
      headers: { "content-length": "10" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBe("10");
    const response = await handler.fetch(request);
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(4 * 64 * 1024);
  });

  it("answers 401 to a missing, malformed, forged or stale signature, before reading the JSON", async () => {
    const { handler, send } = setup();
    const body = JSON.stringify(retellSample("call_started"));
    const plain = await handler.handle({ method: "POST", headers: {}, body });
    expect(plain.status).toBe(401);
    expect(JSON.parse(plain.body)).toMatchObject({ error: "invalid_signature" });
    expect((await handler.handle({ method: "POST", headers: { [RETELL_SIGNATURE_HEADER]: "nonsense" }, body })).status).toBe(401);
    expect((await send(retellSample("call_started"), { key: "another-key" })).status).toBe(401);
    expect((await send(retellSample("call_started"), { timestamp: Date.now() - 10 * 60_000 })).status).toBe(401);
    // Unsigned garbage is a 401, not a 400: nothing is parsed before the signature is checked.
    expect((await handler.handle({ method: "POST", headers: {}, body: "{not json" })).status).toBe(401);
  });

  it("answers 400 with a short JSON error for empty bodies, invalid JSON and (without a storage) schema failures, without echoing the body", async () => {
    const { send, handler } = setup({ storage: undefined });
    expect((await handler.handle({ method: "POST", headers: {}, body: "" })).status).toBe(400);
    const empty = await handler.fetch(new Request("http://x/", { method: "POST" }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: "empty_body" });
    const invalid = await send('{"event": "call_started", oops}');
    expect(invalid.status).toBe(400);
    expect(invalid.json).toEqual({ error: "invalid_json", details: "The body is not valid JSON." });
    const wrong = retellSample("call_ended") as { call: Record<string, unknown> };
    wrong.call.duration_ms = "ninety-five seconds";
    const schema = await send(wrong);
    expect(schema.status).toBe(400);
    expect(schema.json.error).toBe("invalid_payload");
    expect(schema.json.details).toMatch(/call\.duration_ms/);
    expect(schema.text).not.toContain("ninety-five");
  });

  it("accepts a parsed-object body nowhere: the message says to pass raw bytes", async () => {
    const { handler } = setup();
    const result = await handler.handle({ method: "POST", headers: {}, body: { event: "x" } as unknown as string });
    expect(result.status).toBe(400);
    expect(result.body).toMatch(/raw bytes/);
  });
});

describe("allowedIps", () => {
  it("allows listed addresses (IPv4-mapped IPv6 included) and refuses others with 403", async () => {
    const { handler } = setup({ allowedIps: ["100.20.5.228", "10.0.0.0/8", "2001:db8::/32"] });
    const deliver = async (remoteAddress?: string) =>
      (
        await handler.fetch(
          await createSignedRetellRequest(retellSample("call_started"), { apiKey: API_KEY }),
          remoteAddress ? { remoteAddress } : {},
        )
      ).status;
    expect(await deliver("100.20.5.228")).toBe(200);
    expect(await deliver("::ffff:100.20.5.228")).toBe(200);
    expect(await deliver("10.200.3.4")).toBe(200);
    expect(await deliver("2001:db8:1::7")).toBe(200);
    expect(await deliver("100.20.5.229")).toBe(403);
    expect(await deliver("2001:db9::1")).toBe(403);
    expect(await deliver(undefined)).toBe(403); // unknown address: fail closed
  });

  it("reads the client address from a proxy header only when told, counting trusted hops from the right", async () => {
    const { handler } = setup({ allowedIps: ["100.20.5.228"], clientAddress: { header: "x-forwarded-for", hops: 1 } });
    const deliver = async (xff: string) =>
      (
        await handler.handle(
          await createSignedRetellWebhook(retellSample("call_started"), {
            apiKey: API_KEY,
            headers: { "x-forwarded-for": xff },
            remoteAddress: "127.0.0.1",
          }),
        )
      ).status;
    expect(await deliver("1.2.3.4, 100.20.5.228")).toBe(200);
    expect(await deliver("100.20.5.228, 1.2.3.4")).toBe(403); // a spoofed left-most entry is ignored
    const direct = setup({ allowedIps: ["100.20.5.228"] });
    const spoofed = await direct.handler.handle(
      await createSignedRetellWebhook(retellSample("call_started"), {
        apiKey: API_KEY,
        headers: { "x-forwarded-for": "100.20.5.228" },
        remoteAddress: "1.2.3.4",
      }),
    );
    expect(spoofed.status).toBe(403);
  });

  it("believes the proxy header only on connections from trustedProxies", async () => {
    const { handler } = setup({
      allowedIps: ["100.20.5.228"],
      clientAddress: { header: "x-forwarded-for", hops: 1, trustedProxies: ["10.0.0.0/8", "127.0.0.1"] },
    });
    const deliver = async (remoteAddress: string, xff: string) =>
      (
        await handler.handle(
          await createSignedRetellWebhook(retellSample("call_started"), {
            apiKey: API_KEY,
            headers: { "x-forwarded-for": xff },
            remoteAddress,
          }),
        )
      ).status;
    expect(await deliver("10.1.2.3", "100.20.5.228")).toBe(200); // through our proxy
    expect(await deliver("::ffff:127.0.0.1", "100.20.5.228")).toBe(200);
    expect(await deliver("203.0.113.9", "100.20.5.228")).toBe(403); // straight to us, header forged
    expect(await deliver("100.20.5.228", "1.2.3.4")).toBe(200); // Retell connecting directly: the peer counts
  });

  it("refuses an invalid allowlist at construction", () => {
    expect(() => setup({ allowedIps: ["100.20.5.300"] })).toThrow(WebhookConfigError);
    expect(() => setup({ allowedIps: ["10.0.0.0/33"] })).toThrow(WebhookConfigError);
  });
});

describe("dispatch and storage", () => {
  it("runs the typed handler once, records the event, and merges the call record", async () => {
    const seen: Array<[string, HandlerContext]> = [];
    const { send, storage } = setup({
      on: {
        call_ended: async (event, context) => {
          seen.push([event.call.call_id, context]);
        },
      },
    });
    const first = await send(retellSample("call_ended"));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: "processed", event_id: expect.any(String) });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[1]).toMatchObject({ provider: "retell", attempt: 1, replay: false, key: "call_ended:call_sample000000000000000000" });
    const stored = await storage.getEvent(first.json.event_id);
    expect(stored).toMatchObject({ status: "processed", type: "call_ended", callId: "call_sample000000000000000000", attempts: 1 });
    const call = await storage.getCall("retell", "call_sample000000000000000000");
    expect(call?.fields).toMatchObject({ status: "ended", durationMs: 95_000, disconnectionReason: "user_hangup", direction: "inbound" });
  });

  it("acknowledges a duplicate of a processed event with 2xx without running the handler again", async () => {
    const handlerSpy = vi.fn();
    const { send } = setup({ on: { call_started: handlerSpy } });
    const event = retellSample("call_started");
    expect((await send(event)).status).toBe(200);
    const again = await send(event); // a new signature, same event: Retell's retry
    expect(again.status).toBe(200);
    expect(again.json.status).toBe("duplicate");
    expect(handlerSpy).toHaveBeenCalledTimes(1);
  });

  it("answers 409 with Retry-After to a duplicate of an event still being processed", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const running = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { send } = setup({
      on: {
        call_started: () => {
          entered();
          return gate;
        },
      },
    });
    const first = send(retellSample("call_started"));
    await running; // the first delivery holds the claim
    const second = await send(retellSample("call_started"));
    expect(second.status).toBe(409);
    expect(second.json.error).toBe("in_flight");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    release();
    expect((await first).status).toBe(200);
  });

  it("answers 500 when a handler fails, keeps the event as failed, and runs it again on the provider's retry", async () => {
    let calls = 0;
    const { send, storage, logLines } = setup({
      on: {
        call_analyzed: async () => {
          calls++;
          if (calls === 1) throw new Error("CRM unavailable");
        },
      },
    });
    const failed = await send(retellSample("call_analyzed"));
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ error: "handler_failed" });
    expect(failed.text).not.toContain("CRM unavailable"); // the app's error stays in the app's logs
    const [event] = await storage.listEvents({ type: "call_analyzed" });
    expect(event).toMatchObject({ status: "failed", attempts: 1, lastError: "CRM unavailable" });
    expect(event?.nextAttemptAt).toBeGreaterThan(Date.now());
    expect(logLines.join("\n")).toContain("CRM unavailable");
    const retried = await send(retellSample("call_analyzed"));
    expect(retried.status).toBe(200);
    expect(await storage.getEvent(event!.id)).toMatchObject({ status: "processed", attempts: 2 });
    expect(calls).toBe(2);
  });

  it("a run that outlived its lease and then failed answers 500 but leaves the status to the run that took over", async () => {
    let clock = Date.now();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const running = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let runs = 0;
    const { send, storage } = setup({
      now: () => clock,
      leaseMs: 1_000,
      on: {
        call_ended: async () => {
          runs++;
          if (runs === 1) {
            entered();
            await gate;
            throw new Error("too slow, then failed");
          }
        },
      },
    });
    const first = send(retellSample("call_ended"), { timestamp: clock });
    await running;
    clock += 5_000; // the first lease has lapsed: the retry takes the event over
    const second = await send(retellSample("call_ended"), { timestamp: clock });
    expect(second.status).toBe(200);
    release();
    expect((await first).status).toBe(500);
    const [event] = await storage.listEvents();
    expect(event).toMatchObject({ status: "processed", attempts: 2, lastError: null });
  });

  it("answers 500 when the storage is down, and never logs a secret it was given", async () => {
    const { lines, logger } = recordingLogger();
    const onError = vi.fn();
    const handler = createRetellHandler({ apiKey: API_KEY, storage: brokenStorage(), logger, onError, on: { call_started: vi.fn() } });
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_started"), { apiKey: API_KEY }));
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: "storage_error" });
    expect(body).not.toContain("hunter2");
    expect(onError).toHaveBeenCalled();
    expect(lines.join("\n")).not.toContain(API_KEY);
  });

  it("acknowledges and records a signed event of an unknown type", async () => {
    const onUnknown = vi.fn();
    const { send, storage } = setup({ onUnknown });
    const response = await send({ event: "call_paused", call: { call_id: "c-future" }, reason: "hold" });
    expect(response.status).toBe(200);
    expect(onUnknown).toHaveBeenCalledWith(expect.objectContaining({ event: "call_paused" }), expect.anything());
    const [event] = await storage.listEvents({ type: "call_paused" });
    expect(event).toMatchObject({ status: "processed", key: "call_paused:c-future", payload: { reason: "hold" } });
  });

  it("records events that have no handler as processed in one step", async () => {
    const { send, storage } = setup();
    const response = await send(retellSample("transcript_updated"));
    expect(response.status).toBe(200);
    const [event] = await storage.listEvents();
    expect(event).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("still verifies and validates without a storage, running handlers on every delivery", async () => {
    const spy = vi.fn();
    const handler = createRetellHandler({ apiKey: API_KEY, on: { call_started: spy }, logger: {} });
    const deliver = async () =>
      (await handler.fetch(await createSignedRetellRequest(retellSample("call_started"), { apiKey: API_KEY }))).status;
    expect(await deliver()).toBe(200);
    expect(await deliver()).toBe(200);
    expect(spy).toHaveBeenCalledTimes(2);
    const forged = await handler.handle({
      method: "POST",
      headers: { [RETELL_SIGNATURE_HEADER]: `v=${Date.now()},d=${"0".repeat(64)}` },
      body: "{}",
    });
    expect(forged.status).toBe(401);
  });

  it("without a storage, answers a failing handler 500 so the provider retries (nothing else would keep the event)", async () => {
    const { send } = setup({
      storage: undefined,
      on: {
        call_started: async () => {
          throw new Error("CRM unreachable");
        },
      },
    });
    const response = await send(retellSample("call_started"));
    expect(response.status).toBe(500);
    expect(response.json).toMatchObject({ error: "handler_failed" });
    expect(response.text).not.toContain("CRM unreachable");
  });

  it("builds one call record from fixture events delivered out of order", async () => {
    const { handler, storage } = setup();
    for (const name of ["call_analyzed.phone.json", "transcript_updated.json", "call_started.phone.json", "call_ended.phone.json"]) {
      const { bytes } = retellFixture(name);
      const response = await handler.fetch(await createSignedRetellRequest(bytes, { apiKey: API_KEY }));
      expect(response.status).toBe(200);
    }
    const call = await storage.getCall("retell", "call_4c6f1e9a2b7d3f8e0a5c1d2b9e7");
    const analyzed = retellFixture("call_analyzed.phone.json").json as {
      call: Record<string, unknown> & { call_analysis: { call_summary: string } };
    };
    expect(call?.fields.status).toBe("ended");
    expect(call?.fields.summary).toBe(analyzed.call.call_analysis.call_summary);
    expect(call?.eventTypes).toEqual(["call_analyzed", "call_ended", "call_started", "transcript_updated"]);
    expect(call?.data.transcript).toBe(analyzed.call.transcript);
  });
});

describe("review regressions", () => {
  it("does not mistake Object.prototype names for inbound event types", async () => {
    const onUnknown = vi.fn();
    const { send } = setup({ onUnknown });
    for (const event of ["hasOwnProperty", "toString", "constructor", "__proto__"]) {
      const response = await send({ event, call: { call_id: `c-${event}` } });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ status: "processed" });
    }
    expect(onUnknown).toHaveBeenCalledTimes(4);
  });

  it("accepts ids with unpaired surrogates instead of failing every delivery", async () => {
    const { send, storage } = setup();
    const response = await send(retellSample("call_started", { callId: "call_\ud800_x" }));
    expect(response.status).toBe(200);
    expect(await storage.getCall("retell", "call_\ud800_x")).not.toBeNull();
  });

  it("takes a same-length transcript correction or an added tool call for a new update, not a retry", async () => {
    const seen = vi.fn();
    const { send } = setup({ on: { transcript_updated: seen } });
    const update = (transcript: string, toolCalls: number) => {
      const event = retellSample("transcript_updated") as { call: Record<string, unknown> };
      event.call.transcript = transcript;
      event.call.transcript_with_tool_calls = Array.from({ length: toolCalls }, (_, i) => ({ role: "agent", content: `t${i}`, words: [] }));
      return event;
    };
    expect((await send(update("User: book me in", 1))).json.status).toBe("processed");
    expect((await send(update("User: book me in", 1))).json.status).toBe("duplicate"); // a retry
    expect((await send(update("User: look me in", 1))).json.status).toBe("processed"); // same length, new text
    expect((await send(update("User: look me in", 2))).json.status).toBe("processed"); // a tool call added
    expect(seen).toHaveBeenCalledTimes(3);
  });

  it("answers 500 raw_body_unavailable to a Request whose body was already read", async () => {
    const { handler } = setup();
    const request = await createSignedRetellRequest(retellSample("call_started"), { apiKey: API_KEY });
    await request.json();
    const response = await handler.fetch(request);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "raw_body_unavailable", details: expect.stringMatching(/already read/) });
  });

  it("queue mode leaves even event types this instance has no handler for to the workers", async () => {
    const { send, storage } = setup({ mode: "queue" });
    const response = await send(retellSample("call_ended"));
    expect(response.status).toBe(202);
    expect((await storage.listEvents())[0]?.status).toBe("pending");
  });

  it("falls back to the handler's waitUntil when the per-request one declines", async () => {
    const kept: Promise<unknown>[] = [];
    const { handler } = setup({ mode: "deferred", waitUntil: (p) => kept.push(p), on: { call_ended: vi.fn() } });
    const request = await createSignedRetellRequest(retellSample("call_ended"), { apiKey: API_KEY });
    expect((await handler.fetch(request, { waitUntil: () => false })).status).toBe(202);
    expect(kept).toHaveLength(1);
    const other = await createSignedRetellRequest(retellSample("call_ended", { callId: "c2" }), { apiKey: API_KEY });
    const accepted: Promise<unknown>[] = [];
    expect((await handler.fetch(other, { waitUntil: (p) => void accepted.push(p) })).status).toBe(202);
    expect(accepted).toHaveLength(1);
    expect(kept).toHaveLength(1);
    await Promise.all([...kept, ...accepted]);
  });

  it("refuses an allowedIps entry with an empty or malformed prefix", () => {
    for (const entry of ["100.20.5.228/", "10.0.0.0/8/9", "10.0.0.0/x", "10.0.0.0/ "]) {
      expect(() => setup({ allowedIps: [entry] })).toThrow(WebhookConfigError);
    }
  });
});

describe("inbound webhooks", () => {
  it("answers call_inbound with the handler's typed body, and replays it to a duplicate", async () => {
    const inbound = vi.fn(async () => ({ call_inbound: { override_agent_id: "agent_vip", dynamic_variables: { tier: "gold" } } }));
    const { send } = setup({ on: { call_inbound: inbound } });
    const event = retellSample("call_inbound", { callId: "call_in_1" });
    const first = await send(event);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ call_inbound: { override_agent_id: "agent_vip", dynamic_variables: { tier: "gold" } } });
    const again = await send(event);
    expect(again.json).toEqual(first.json);
    expect(inbound).toHaveBeenCalledTimes(1);
  });

  it("answers 500 when the handler returns a body Retell would refuse, so Retell retries", async () => {
    const { send } = setup({
      on: { call_inbound: async () => ({ call_inbound: { dynamic_variables: { count: 3 } } }) as never },
    });
    const response = await send(retellSample("call_inbound"));
    expect(response.status).toBe(500);
    expect(response.json.error).toBe("handler_failed");
  });

  it("answers chat_inbound, and runs inbound events synchronously even in deferred mode", async () => {
    const { send } = setup({ mode: "deferred", on: { chat_inbound: async () => ({ chat_inbound: { override_agent_id: "agent_sms" } }) } });
    const response = await send(retellSample("chat_inbound"));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ chat_inbound: { override_agent_id: "agent_sms" } });
  });

  it("tells two inbound calls between the same numbers apart by their event_timestamp when they carry no call_id", async () => {
    const inbound = vi.fn(async () => ({ call_inbound: {} }));
    const { send, storage } = setup({ on: { call_inbound: inbound } });
    const at = (eventTimestamp: number) => {
      const event = retellSample("call_inbound") as { event_timestamp?: number; call_inbound: Record<string, unknown> };
      delete event.call_inbound.call_id;
      event.event_timestamp = eventTimestamp;
      return event;
    };
    expect((await send(at(1_780_000_000_000))).status).toBe(200);
    expect((await send(at(1_780_000_600_000))).status).toBe(200);
    // A retry of the first is still the first.
    expect((await send(at(1_780_000_000_000))).status).toBe(200);
    expect(inbound).toHaveBeenCalledTimes(2);
    const keys = (await storage.listEvents({ type: "call_inbound" })).map((e) => e.key).sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/:1780000000000$/);
  });

  it("answers 204 to an inbound webhook with no handler", async () => {
    const { send } = setup();
    expect((await send(retellSample("call_inbound"))).status).toBe(204);
  });
});

describe("deferred and queue modes", () => {
  it("deferred: records, answers 202 at once, then processes through waitUntil", async () => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const pending: Promise<unknown>[] = [];
    const { storage, handler } = setup({
      mode: "deferred",
      on: {
        call_ended: async () => {
          await done;
        },
      },
    });
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended"), { apiKey: API_KEY }), {
      waitUntil: (p) => pending.push(p),
    });
    expect(response.status).toBe(202);
    const { event_id } = (await response.json()) as { event_id: string };
    expect((await storage.getEvent(event_id))?.status).toBe("processing");
    expect(pending).toHaveLength(1);
    finish();
    await Promise.all(pending);
    expect((await storage.getEvent(event_id))?.status).toBe("processed");
  });

  it("deferred: a failure after the answer is kept as failed with a retry time, for workers", async () => {
    const pending: Promise<unknown>[] = [];
    const { storage, handler } = setup({
      mode: "deferred",
      waitUntil: (p) => pending.push(p),
      on: { call_ended: async () => Promise.reject(new Error("later")) },
    });
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended"), { apiKey: API_KEY }));
    expect(response.status).toBe(202);
    await Promise.all(pending);
    const [event] = await storage.listEvents();
    expect(event).toMatchObject({ status: "failed", lastError: "later" });
  });

  it("queue: records as pending for workers and answers 202", async () => {
    const spy = vi.fn();
    const { send, storage } = setup({ mode: "queue", on: { call_started: spy } });
    expect((await send(retellSample("call_started"))).status).toBe(202);
    expect(spy).not.toHaveBeenCalled();
    expect((await storage.listEvents())[0]?.status).toBe("pending");
  });

  it("refuses deferred or queue mode without a storage", () => {
    expect(() => createRetellHandler({ apiKey: API_KEY, mode: "deferred" })).toThrow(WebhookConfigError);
    expect(() => createRetellHandler({ apiKey: API_KEY, mode: "queue" })).toThrow(/needs a storage/);
  });
});

describe("runStored (workers and replay)", () => {
  it("re-runs a failed event's handler from storage and completes it", async () => {
    let fail = true;
    const seen: HandlerContext[] = [];
    const { send, storage, handler } = setup({
      on: {
        call_ended: async (_event, context) => {
          seen.push(context);
          if (fail) throw new Error("first time");
        },
      },
    });
    expect((await send(retellSample("call_ended"))).status).toBe(500);
    fail = false;
    const [due] = await storage.claimDue({ limit: 1, leaseMs: 30_000, now: Date.now() + 3_600_000 });
    expect(due).toBeDefined();
    const result = await handler.runStored(due!.event, due!.leaseToken);
    expect(result.outcome).toBe("processed");
    expect(seen.at(-1)).toMatchObject({ attempt: 2, replay: true });
    expect((await storage.getEvent(due!.event.id))?.status).toBe("processed");
  });

  it("quarantines a stored event whose payload no longer parses", async () => {
    const { storage, handler } = setup({ on: { call_ended: vi.fn() } });
    const claim = await storage.claim({
      event: {
        provider: "retell",
        key: "bad",
        type: "call_ended",
        callId: null,
        orgId: null,
        payload: { event: "call_ended" },
        receivedAt: 1,
      },
      records: [],
      mode: "lease",
      leaseMs: 30_000,
      now: Date.now(),
    });
    if (claim.outcome !== "claimed") throw new Error("not claimed");
    const result = await handler.runStored(claim.event, claim.leaseToken as string);
    expect(result.outcome).toBe("quarantined");
    const stored = await storage.getEvent(claim.event.id);
    expect(stored?.status).toBe("quarantined");
    expect(stored?.issues?.[0]?.path).toBe("call");
  });
});

describe("observability", () => {
  it("reports lifecycle observations without secrets, and counts them in stats()", async () => {
    const observations: Observation[] = [];
    const { send, handler } = setup({ observe: (o) => observations.push(o), on: { call_started: vi.fn() } });
    await send(retellSample("call_started"));
    await send(retellSample("call_started"));
    await send(retellSample("call_started"), { key: "wrong" });
    const kinds = observations.map((o) => o.kind);
    expect(kinds).toEqual(["received", "verified", "processed", "received", "verified", "duplicate", "received", "rejected"]);
    expect(observations.find((o) => o.kind === "rejected")).toMatchObject({ reason: "invalid_signature", status: 401 });
    expect(observations.every((o) => o.durationMs >= 0 && o.provider === "retell")).toBe(true);
    expect(JSON.stringify(observations)).not.toContain(API_KEY);
    expect(handler.stats()).toMatchObject({ received: 3, verified: 2, processed: 1, duplicate: 1, rejected: 1 });
  });

  it("survives an observer and an onError hook that throw", async () => {
    const { send } = setup({
      observe: () => {
        throw new Error("observer bug");
      },
      onError: () => {
        throw new Error("hook bug");
      },
      on: { call_started: () => Promise.reject(new Error("x")) },
    });
    expect((await send(retellSample("call_started"))).status).toBe(500);
  });
});

describe("reject()", () => {
  it("answers an adapter's own rejection in the pipeline's shape, and counts it", async () => {
    const observations: Observation[] = [];
    const { handler } = setup({ observe: (o) => observations.push(o) });
    const result = handler.reject(new WebhookPayloadTooLargeError(10), { connection: "close" });
    expect(result.status).toBe(413);
    expect(result.headers).toMatchObject({ connection: "close", "content-type": expect.stringMatching(/json/) });
    expect(JSON.parse(result.body)).toMatchObject({ error: "payload_too_large" });
    expect(handler.stats()).toMatchObject({ received: 1, rejected: 1 });
    expect(observations.at(-1)).toMatchObject({ kind: "rejected", reason: "payload_too_large", status: 413 });
  });
});

describe("handle()", () => {
  it("takes Node-style headers (any case, arrays) and a Buffer-like body", async () => {
    const { handler } = setup({ on: { call_started: vi.fn() } });
    const body = new TextEncoder().encode(JSON.stringify(retellSample("call_started")));
    const headers = await signedRetellHeaders(body, { apiKey: API_KEY });
    const result = await handler.handle({ method: "post", headers: { "X-Retell-Signature": [headers[RETELL_SIGNATURE_HEADER]!] }, body });
    expect(result.status).toBe(200);
    expect(result.headers["content-type"]).toMatch(/application\/json/);
  });
});
