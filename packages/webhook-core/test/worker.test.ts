import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createRetellHandler,
  createWorkerEndpoint,
  processPending,
  replayEvents,
  startWorker,
  WebhookConfigError,
  WebhookStorageError,
  type HandlerContext,
  type Observation,
  type RetellHandlerOptions,
  type WebhookStorage,
  type WorkerObservation,
} from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { recordingLogger } from "./helpers.ts";

const API_KEY = "key_worker_0123456789";
const HOUR = 3_600_000;
/** A worker clock an hour ahead: every backoff is due and every lease has lapsed. */
const later = () => Date.now() + HOUR;

function setup(options: Partial<RetellHandlerOptions> = {}) {
  const storage = createMemoryStorage();
  const { lines, logger } = recordingLogger();
  const handler = createRetellHandler({ apiKey: API_KEY, storage, logger, mode: "queue", ...options });
  const send = async (event: unknown, waitUntil?: (p: Promise<unknown>) => void) => {
    const response = await handler.fetch(
      await createSignedRetellRequest(event, { apiKey: API_KEY }),
      waitUntil ? { waitUntil } : undefined,
    );
    return { status: response.status, json: (await response.json()) as { event_id: string; status: string } };
  };
  return { storage, handler, send, logLines: lines, logger };
}

/** Distinct call_started events (one per call id). */
const started = (n: number) =>
  Array.from({ length: n }, (_, i) => retellSample("call_started", { callId: `call_w_${String(i).padStart(4, "0")}` }));

/** Resolves when `check` holds, re-checked after every observation (no timers). */
function watcher() {
  const seen: WorkerObservation[] = [];
  let waiters: Array<() => void> = [];
  const observe = (o: WorkerObservation) => {
    seen.push(o);
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };
  const until = async (check: () => boolean | Promise<boolean>) => {
    while (!(await check())) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { seen, observe, until };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("a handler that fails twice, then succeeds", () => {
  it("ends processed with 3 attempts through Retell's redeliveries (sync mode)", async () => {
    let calls = 0;
    const { send, storage } = setup({
      mode: "sync",
      on: {
        call_ended: async () => {
          if (++calls < 3) throw new Error("CRM down");
        },
      },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(retellSample("call_ended"))).status);
    expect(statuses).toEqual([500, 500, 200]);
    const [event] = await storage.listEvents();
    expect(event).toMatchObject({ status: "processed", attempts: 3, lastError: null });
  });

  it("ends processed with 3 attempts through processPending passes, backing off in between", async () => {
    const attempts: number[] = [];
    const { send, storage, handler } = setup({
      on: {
        call_ended: async (_event, context) => {
          attempts.push(context.attempt);
          if (context.attempt < 3) throw new Error("CRM down");
        },
      },
    });
    const { json } = await send(retellSample("call_ended"));
    expect(await processPending({ storage, handlers: [handler] })).toMatchObject({ claimed: 1, failed: 1 });
    const failed = await storage.getEvent(json.event_id);
    expect(failed).toMatchObject({ status: "failed", attempts: 1, lastError: "CRM down" });
    // Not due yet: a pass on the real clock leaves it alone.
    expect(await processPending({ storage, handlers: [handler] })).toMatchObject({ claimed: 0 });
    expect(await processPending({ storage, handlers: [handler], now: later })).toMatchObject({ claimed: 1, failed: 1 });
    const second = await storage.getEvent(json.event_id);
    // Exponential backoff: the second delay is drawn from a range twice as large as the first.
    expect(second!.nextAttemptAt! - second!.updatedAt).toBeGreaterThanOrEqual(1_000);
    expect(await processPending({ storage, handlers: [handler], now: later })).toMatchObject({ claimed: 1, processed: 1 });
    expect(attempts).toEqual([1, 2, 3]);
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed", attempts: 3 });
  });

  it("ends processed with 3 attempts when a deferred run fails and a worker retries it", async () => {
    const contexts: HandlerContext[] = [];
    const background: Promise<unknown>[] = [];
    const { send, storage, handler } = setup({
      mode: "deferred",
      on: {
        call_ended: async (_event, context) => {
          contexts.push(context);
          if (context.attempt < 3) throw new Error("slow CRM");
        },
      },
    });
    const { status, json } = await send(retellSample("call_ended"), (p) => background.push(p));
    expect(status).toBe(202);
    await Promise.all(background);
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "failed", attempts: 1 });

    const { observe, until, seen } = watcher();
    const worker = startWorker({ storage, handlers: handler, now: later, observe, pollIntervalMs: 60_000 });
    await until(async () => (await storage.getEvent(json.event_id))?.status === "processed");
    await worker.stop();
    expect(contexts.map((c) => [c.attempt, c.replay])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
    expect(seen.filter((o) => o.eventId === json.event_id).map((o) => o.kind)).toEqual(["retried", "failed", "retried", "processed"]);
    expect(worker.stats()).toMatchObject({ running: false, inFlight: 0, claimed: 2, retried: 2, failed: 1, processed: 1, dead: 0 });
  });
});

describe("createWorkerEndpoint (a worker behind a URL, for schedulers)", () => {
  const SECRET = "worker-secret-0123456789";
  const post = (endpoint: ReturnType<typeof createWorkerEndpoint>, authorization?: string, method = "POST") =>
    endpoint.fetch(new Request("http://localhost/worker", { method, headers: authorization ? { authorization } : {} }));

  it("runs one bounded pass for a scheduler with the secret (any of them while rotating), and nothing for anyone else", async () => {
    const ran: string[] = [];
    const { send, storage, handler } = setup({ on: { call_started: (event) => void ran.push(event.call.call_id) } });
    for (const event of started(3)) expect((await send(event)).status).toBe(202);
    const endpoint = createWorkerEndpoint({
      storage,
      handlers: [handler],
      secret: ["old-secret-0123456789", SECRET],
      limit: 2,
      logger: {},
    });
    expect((await post(endpoint)).status).toBe(401);
    expect((await post(endpoint, `Bearer ${SECRET}x`)).status).toBe(401);
    expect((await post(endpoint, `Bearer ${SECRET}`, "GET")).status).toBe(405);
    expect(ran).toEqual([]);
    const first = await post(endpoint, `Bearer ${SECRET}`);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ claimed: 2, processed: 2 });
    expect(await (await post(endpoint, "Bearer old-secret-0123456789")).json()).toMatchObject({ claimed: 1, processed: 1 });
    expect(ran.sort()).toEqual(["call_w_0000", "call_w_0001", "call_w_0002"]);
  });

  it("refuses to be created without a real secret, and answers 500 when the storage fails", async () => {
    const { handler, storage } = setup();
    expect(() => createWorkerEndpoint({ storage, handlers: [handler], secret: "short" })).toThrow(WebhookConfigError);
    expect(() => createWorkerEndpoint({ storage, handlers: [handler], secret: [] })).toThrow(WebhookConfigError);
    const broken = { ...storage, claimDue: () => Promise.reject(new Error("down")) };
    const endpoint = createWorkerEndpoint({ storage: broken, handlers: [handler], secret: SECRET, logger: {} });
    const response = await post(endpoint, `Bearer ${SECRET}`);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "storage_error" });
  });
});

describe("processPending", () => {
  it("runs at most `concurrency` events at once, and claims only what it can start", async () => {
    let active = 0;
    let peak = 0;
    let mostLeasedAtOnce = 0;
    const { send, storage, handler } = setup({
      on: {
        call_started: async () => {
          active++;
          peak = Math.max(peak, active);
          const counts = await storage.countEvents();
          mostLeasedAtOnce = Math.max(mostLeasedAtOnce, counts.processing);
          await new Promise((resolve) => setImmediate(resolve));
          active--;
        },
      },
    });
    for (const event of started(10)) await send(event);
    const result = await processPending({ storage, handlers: [handler], concurrency: 3 });
    expect(result).toEqual({ claimed: 10, processed: 10, failed: 0, dead: 0, quarantined: 0, leaseLost: 0 });
    expect(peak).toBe(3);
    expect(mostLeasedAtOnce).toBeLessThanOrEqual(3); // no event's lease ticks while it waits its turn
    expect((await storage.countEvents()).processed).toBe(10);
  });

  it("stops at `limit`, leaving the rest pending", async () => {
    const { send, storage, handler } = setup({ on: { call_started: async () => {} } });
    for (const event of started(5)) await send(event);
    expect(await processPending({ storage, handlers: handler, limit: 2 })).toMatchObject({ claimed: 2, processed: 2 });
    expect(await storage.countEvents()).toMatchObject({ processed: 2, pending: 3 });
  });

  it("marks an event dead after the retry policy's last attempt, and claims it no more", async () => {
    const { send, storage, handler } = setup({
      retry: { maxAttempts: 2 },
      on: { call_started: () => Promise.reject(new Error("always")) },
    });
    const { json } = await send(retellSample("call_started"));
    const { observe, seen } = watcher();
    expect(await processPending({ storage, handlers: [handler], now: later, observe })).toMatchObject({ failed: 1 });
    expect(await processPending({ storage, handlers: [handler], now: later, observe })).toMatchObject({ dead: 1 });
    expect(await processPending({ storage, handlers: [handler], now: () => Date.now() + 100 * HOUR })).toMatchObject({ claimed: 0 });
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "dead", attempts: 2, nextAttemptAt: null });
    const failed = seen.find((o) => o.kind === "failed");
    expect(failed).toMatchObject({ reason: "handler_failed", attempt: 1, eventType: "call_started", retryAt: expect.any(Number) });
    expect(seen.find((o) => o.kind === "dead")).toMatchObject({ reason: "handler_failed", attempt: 2 });
  });

  it("claims only the providers it has handlers for", async () => {
    const { storage, handler } = setup();
    await storage.claim({
      event: { provider: "mightycall", key: "k1", type: "call.completed", callId: null, orgId: null, payload: {}, receivedAt: 1 },
      records: [],
      mode: "pending",
      leaseMs: 1,
      now: 1,
    });
    expect(await processPending({ storage, handlers: [handler] })).toMatchObject({ claimed: 0 });
    expect((await storage.countEvents()).pending).toBe(1);
  });

  it("takes over an event whose lease lapsed; the first run's late failure then changes nothing", async () => {
    const first = gate();
    const background: Promise<unknown>[] = [];
    const runs: number[] = [];
    const { observe, seen } = watcher();
    const observations: Observation[] = [];
    const { send, storage, handler } = setup({
      mode: "deferred",
      observe: (o) => observations.push(o),
      on: {
        call_started: async (_event, context) => {
          runs.push(context.attempt);
          if (context.attempt === 1) {
            await first.opened;
            throw new Error("too late");
          }
        },
      },
    });
    const { json } = await send(retellSample("call_started"), (p) => background.push(p));
    // The first run holds a live lease: a worker on the real clock does not touch it.
    expect(await processPending({ storage, handlers: handler })).toMatchObject({ claimed: 0 });
    expect(await processPending({ storage, handlers: handler, now: later, observe })).toMatchObject({ claimed: 1, processed: 1 });
    first.open();
    await Promise.all(background);
    expect(runs).toEqual([1, 2]);
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed", attempts: 2, lastError: null });
    expect(observations.some((o) => o.kind === "failed" || o.kind === "dead")).toBe(false);
    expect(seen.map((o) => o.kind)).toEqual(["claimed", "retried", "processed"]);
  });

  it("throws after the events in flight finish when the storage cannot claim", async () => {
    const { storage, handler } = setup();
    const down: WebhookStorage = { ...storage, claimDue: () => Promise.reject(new Error("connect ECONNREFUSED")) };
    await expect(processPending({ storage: down, handlers: handler, logger: {} })).rejects.toBeInstanceOf(WebhookStorageError);
  });

  it("refuses a configuration that cannot work", async () => {
    const { storage, handler } = setup();
    await expect(processPending({ storage, handlers: [] })).rejects.toBeInstanceOf(WebhookConfigError);
    await expect(processPending({ storage, handlers: [handler, handler] })).rejects.toThrow(/one per provider/);
    await expect(processPending({ storage, handlers: handler, concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});

describe("startWorker", () => {
  it("processes what is queued, then reports idle; wake() makes it look again at once", async () => {
    const { send, storage, handler } = setup({ on: { call_started: async () => {} } });
    for (const event of started(6)) await send(event);
    const { observe, until, seen } = watcher();
    const worker = startWorker({ storage, handlers: [handler], concurrency: 2, pollIntervalMs: 60_000, observe });
    await until(() => seen.some((o) => o.kind === "idle"));
    expect((await storage.countEvents()).processed).toBe(6);
    for (const event of started(8).slice(6)) await send(event);
    worker.wake();
    await until(async () => (await storage.countEvents()).processed === 8);
    await worker.stop();
    expect(worker.stats()).toMatchObject({ running: false, claimed: 8, processed: 8, errors: 0 });
    expect(seen.filter((o) => o.kind === "claimed").every((o) => (o.count ?? 0) <= 2)).toBe(true);
  });

  it("stops gracefully: the event in flight finishes, nothing more is claimed", async () => {
    const release = gate();
    const entered = gate();
    const { send, storage, handler } = setup({
      on: {
        call_started: async () => {
          entered.open();
          await release.opened;
        },
      },
    });
    for (const event of started(3)) await send(event);
    const worker = startWorker({ storage, handlers: [handler], concurrency: 1, pollIntervalMs: 60_000 });
    await entered.opened;
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // still waiting for the event in flight
    expect(worker.stats()).toMatchObject({ running: true, inFlight: 1 });
    release.open();
    await stopping;
    expect(await storage.countEvents()).toMatchObject({ processed: 1, pending: 2, processing: 0 });
    expect(worker.stats()).toMatchObject({ running: false, inFlight: 0, claimed: 1 });
    await worker.stop(); // twice is fine
  });

  it("stops when its signal aborts, and claims nothing when it starts aborted", async () => {
    const { send, storage, handler } = setup({ on: { call_started: async () => {} } });
    await send(retellSample("call_started"));
    const aborted = new AbortController();
    aborted.abort();
    await startWorker({ storage, handlers: [handler], signal: aborted.signal }).done;
    expect((await storage.countEvents()).pending).toBe(1);

    const controller = new AbortController();
    const { observe, until, seen } = watcher();
    const worker = startWorker({ storage, handlers: [handler], signal: controller.signal, pollIntervalMs: 60_000, observe });
    await until(() => seen.some((o) => o.kind === "idle"));
    controller.abort();
    await worker.done;
    expect(worker.stats()).toMatchObject({ running: false, processed: 1 });
  });

  it("survives a storage outage: reports it, backs off, and carries on", async () => {
    const { send, storage, handler } = setup({ on: { call_started: async () => {} } });
    await send(retellSample("call_started"));
    let outages = 2;
    const flaky: WebhookStorage = {
      ...storage,
      claimDue: (input) => (outages-- > 0 ? Promise.reject(new Error("ECONNRESET password=hunter2")) : storage.claimDue(input)),
    };
    const errors: unknown[] = [];
    const { lines, logger } = recordingLogger();
    const { observe, until, seen } = watcher();
    const worker = startWorker({ storage: flaky, handlers: handler, pollIntervalMs: 0, observe, logger, onError: (e) => errors.push(e) });
    await until(() => seen.some((o) => o.kind === "processed"));
    await worker.stop();
    expect(seen.filter((o) => o.kind === "error")).toEqual([
      expect.objectContaining({ reason: "storage_error" }),
      expect.objectContaining({ reason: "storage_error" }),
    ]);
    expect(errors).toHaveLength(2);
    expect(lines).toHaveLength(2);
    expect(worker.stats()).toMatchObject({ errors: 2, processed: 1 });
    expect(JSON.stringify(seen)).not.toContain("hunter2");
  });

  it("observes without payloads, error messages or secrets", async () => {
    const { send, storage, handler } = setup({ on: { call_started: () => Promise.reject(new Error(`bad key ${API_KEY}`)) } });
    await send(retellSample("call_started", { callId: "call_secretless" }));
    const { observe, seen } = watcher();
    await processPending({ storage, handlers: handler, observe });
    const text = JSON.stringify(seen);
    expect(seen.map((o) => o.kind)).toEqual(["claimed", "failed"]);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain("bad key");
    expect(text).not.toContain("+14155550100");
    expect(seen.every((o) => o.durationMs >= 0)).toBe(true);
  });
});

describe("replayEvents", () => {
  it("re-runs processed events by id with their handler, as replays, without touching their records", async () => {
    const contexts: HandlerContext[] = [];
    const { send, storage, handler } = setup({
      mode: "sync",
      on: {
        call_ended: async (_event, context) => {
          contexts.push(context);
        },
      },
    });
    const { json } = await send(retellSample("call_ended"));
    const before = await storage.getCall("retell", "call_sample000000000000000000");
    const result = await replayEvents({ storage, handlers: [handler], ids: [json.event_id, "00000000-0000-4000-8000-000000000000"] });
    expect(result.events).toEqual([
      { id: json.event_id, provider: "retell", type: "call_ended", outcome: "processed", attempt: 2 },
      { id: "00000000-0000-4000-8000-000000000000", outcome: "not_found" },
    ]);
    expect(result.counts).toMatchObject({ processed: 1, not_found: 1, failed: 0 });
    expect(contexts.map((c) => [c.attempt, c.replay])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(await storage.getCall("retell", "call_sample000000000000000000")).toEqual(before);
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed", attempts: 2 });
  });

  it("replays a filtered set (dead call_ended events) oldest first, and nothing else", async () => {
    const order: string[] = [];
    let healthy = false;
    let clock = Date.now();
    const { send, storage, handler } = setup({
      mode: "sync",
      now: () => clock++, // distinct receipt times: the order replay goes by
      retry: { maxAttempts: 1 },
      on: {
        call_ended: async (event) => {
          if (!healthy) throw new Error("down");
          order.push(event.call.call_id);
        },
        call_started: async () => {
          if (!healthy) throw new Error("down");
        },
      },
    });
    for (const callId of ["call_a", "call_b", "call_c"]) await send(retellSample("call_ended", { callId }));
    await send(retellSample("call_started"));
    expect((await storage.countEvents()).dead).toBe(4);
    healthy = true;
    const progress: number[] = [];
    const result = await replayEvents({
      storage,
      handlers: handler,
      filter: { status: "dead", type: "call_ended" },
      onEvent: (_r, done, total) => progress.push(done / total),
    });
    expect(result.counts.processed).toBe(3);
    expect(order).toEqual(["call_a", "call_b", "call_c"]);
    expect(progress).toEqual([1 / 3, 2 / 3, 1]);
    expect(await storage.listEvents({ status: "dead" })).toEqual([expect.objectContaining({ type: "call_started" })]);
  });

  it("without handlers, only requeues: the app's workers process the events", async () => {
    const { send, storage, handler } = setup({ mode: "sync", on: { call_started: async () => {} } });
    for (const event of started(3)) await send(event);
    const result = await replayEvents({ storage, filter: { type: "call_started" } });
    expect(result.counts).toMatchObject({ requeued: 3 });
    expect(await storage.countEvents()).toMatchObject({ pending: 3, processed: 0 });
    expect(await processPending({ storage, handlers: handler })).toMatchObject({ processed: 3 });
  });

  it("leaves an event under a live lease alone", async () => {
    const release = gate();
    const background: Promise<unknown>[] = [];
    const { send, storage, handler } = setup({ mode: "deferred", on: { call_started: () => release.opened } });
    const { json } = await send(retellSample("call_started"), (p) => background.push(p));
    const withHandler = await replayEvents({ storage, handlers: handler, ids: [json.event_id] });
    const withoutHandler = await replayEvents({ storage, ids: [json.event_id] });
    expect(withHandler.events[0]?.outcome).toBe("taken");
    expect(withoutHandler.events[0]?.outcome).toBe("taken");
    release.open();
    await Promise.all(background);
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("needs ids or a filter", async () => {
    const { storage } = setup();
    await expect(replayEvents({ storage })).rejects.toBeInstanceOf(WebhookConfigError);
    await expect(replayEvents({ storage, ids: [], filter: {} })).rejects.toBeInstanceOf(WebhookConfigError);
  });
});

describe("deferred mode and waitUntil", () => {
  it("answers 202 and still processes when the given waitUntil throws (an unbound ctx.waitUntil)", async () => {
    const done = gate();
    const { send, storage, logLines } = setup({
      mode: "deferred",
      on: {
        call_started: async () => {
          done.open();
        },
      },
    });
    const unbound = function (this: unknown) {
      if (this === undefined) throw new TypeError("Illegal invocation");
    };
    const { status, json } = await send(retellSample("call_started"), unbound as (p: Promise<unknown>) => void);
    expect(status).toBe(202);
    await done.opened;
    await new Promise((resolve) => setImmediate(resolve));
    expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed" });
    expect(logLines.join("\n")).toContain("Illegal invocation");
  });

  it("uses Supabase Edge's EdgeRuntime.waitUntil by itself, called on EdgeRuntime", async () => {
    const edge = {
      promises: [] as Promise<unknown>[],
      waitUntil(promise: Promise<unknown>) {
        this.promises.push(promise);
      },
    };
    const global = globalThis as { EdgeRuntime?: unknown };
    global.EdgeRuntime = edge;
    try {
      const { send, storage } = setup({ mode: "deferred", on: { call_started: async () => {} } });
      const { status, json } = await send(retellSample("call_started"));
      expect(status).toBe(202);
      expect(edge.promises).toHaveLength(1);
      await Promise.all(edge.promises);
      expect(await storage.getEvent(json.event_id)).toMatchObject({ status: "processed" });
    } finally {
      delete global.EdgeRuntime;
    }
  });

  it("queue mode + an in-process worker woken on each deferred event", async () => {
    const seenCalls: string[] = [];
    let worker: ReturnType<typeof startWorker> | undefined;
    const { send, storage, handler } = setup({
      mode: "queue",
      observe: (o) => {
        if (o.kind === "deferred") worker?.wake();
      },
      on: {
        call_started: async (event) => {
          seenCalls.push(event.call.call_id);
        },
      },
    });
    const { observe, until } = watcher();
    worker = startWorker({ storage, handlers: handler, pollIntervalMs: 60_000, observe });
    for (const event of started(4)) expect((await send(event)).status).toBe(202);
    await until(async () => (await storage.countEvents()).processed === 4);
    await worker.stop();
    expect(seenCalls.sort()).toEqual(started(4).map((e) => e.call.call_id));
  });
});
