import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createRetellHandler,
  processPending,
  type HandlerContext,
  type RetellHandlerOptions,
  type WebhookStorage,
} from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "./helpers.ts";

const API_KEY = "key_lease_0123456789";
// Long enough that a machine busy with other test files still renews in time (two renewals may slip).
const LEASE = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(options: Partial<RetellHandlerOptions> & { storage?: WebhookStorage; handlerMs?: number; onStart?: () => void } = {}) {
  const storage = options.storage ?? createMemoryStorage();
  const { lines, logger } = recordingLogger();
  const runs: HandlerContext[] = [];
  const aborted: boolean[] = [];
  const handler = createRetellHandler({
    apiKey: API_KEY,
    storage,
    logger,
    leaseMs: LEASE,
    on: {
      call_ended: async (_event, context) => {
        runs.push(context);
        options.onStart?.();
        await sleep(options.handlerMs ?? 3 * LEASE);
        aborted.push(context.signal.aborted);
      },
    },
    ...options,
  });
  const send = async (callId = "call_lease") => {
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey: API_KEY }));
    return { status: response.status, json: await response.json() };
  };
  return { storage, handler, send, runs, aborted, logLines: lines };
}

/** storage-memory with some of its operations replaced. */
function wrapped(overrides: (storage: WebhookStorage) => Partial<WebhookStorage>): WebhookStorage {
  const storage = createMemoryStorage();
  return { ...storage, ...overrides(storage) };
}

describe("leases that live as long as the handler", () => {
  it("renews a handler's lease while it runs 3× leaseMs: a retry meets it in flight, a worker finds nothing due, it runs once", async () => {
    const { send, storage, handler, runs } = setup();
    const first = send();
    await sleep(2 * LEASE); // past the lease it was claimed with
    expect((await send()).status).toBe(409);
    const worker = await processPending({ storage, handlers: [handler], leaseMs: LEASE, logger: {} });
    expect(worker.claimed).toBe(0);
    expect(await first).toMatchObject({ status: 200, json: { status: "processed" } });
    expect(runs).toHaveLength(1);
    const [event] = await storage.listEvents();
    expect(event).toMatchObject({ status: "processed", attempts: 1 });
    expect(event?.durationMs).toBeGreaterThanOrEqual(3 * LEASE - 20);
  });

  it("renews a worker's lease too: two workers racing for a slow deferred event run it once", async () => {
    const { send, storage, handler, runs } = setup({ mode: "queue" });
    expect((await send("call_queued")).status).toBe(202);
    const [a, b] = await Promise.all([
      processPending({ storage, handlers: [handler], leaseMs: LEASE, logger: {} }),
      sleep(2 * LEASE).then(() => processPending({ storage, handlers: [handler], leaseMs: LEASE, logger: {} })),
    ]);
    expect(a.processed + b.processed).toBe(1);
    expect(b.claimed).toBe(0);
    expect(runs).toHaveLength(1);
  });

  it("tells the handler (context.signal) when another processor took the event over, and answers 500 without completing", async () => {
    const storage = wrapped(() => ({ extendLease: async () => false }));
    const { send, aborted } = setup({ storage });
    const response = await send("call_taken");
    expect(response.status).toBe(500);
    expect(response.json.error).toBe("storage_error");
    expect(aborted).toEqual([true]);
    const [event] = await storage.listEvents();
    // Not this run's to finish: it stays with whoever holds it.
    expect(event?.status).toBe("processing");
  });

  it("reports a renewal that fails, tries again, and completes once the storage confirms the lease is still its own", async () => {
    let failures = 0;
    const storage = wrapped((inner) => ({
      extendLease: async (lease, input) => {
        if (failures++ === 0) throw new Error("connection reset while renewing");
        return inner.extendLease(lease, input);
      },
    }));
    const { send, logLines } = setup({ storage });
    expect(await send("call_flaky")).toMatchObject({ status: 200, json: { status: "processed" } });
    expect(logLines.join("\n")).toContain("connection reset while renewing");
    expect(failures).toBeGreaterThan(1);
  });

  it("renews before the handler starts when the claim answered late, and does not start it when the lease is gone", async () => {
    const order: string[] = [];
    const slowClaim = wrapped((inner) => ({
      claim: async (request) => {
        const result = await inner.claim(request);
        await sleep(LEASE); // the answer arrives after the lease it was taken with
        return result;
      },
      extendLease: async (lease, input) => {
        order.push("renewed");
        return inner.extendLease(lease, input);
      },
    }));
    const late = setup({ storage: slowClaim, handlerMs: 10, onStart: () => order.push("started") });
    expect((await late.send("call_late")).status).toBe(200);
    expect(order[0]).toBe("renewed");
    expect(order).toContain("started");

    const gone = wrapped((inner) => ({
      claim: async (request) => {
        const result = await inner.claim(request);
        await sleep(LEASE);
        return result;
      },
      extendLease: async () => false,
    }));
    const taken = setup({ storage: gone, handlerMs: 10 });
    expect((await taken.send("call_gone")).status).toBe(500);
    expect(taken.runs).toHaveLength(0);
  });
});
