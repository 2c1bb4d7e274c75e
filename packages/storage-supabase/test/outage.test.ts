import { createMemoryStorage } from "@callhooks/storage-memory";
import { type StoredRecord, type WebhookStorage, createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseStorage } from "../src/index.js";
import { type SupabaseStack, startSupabaseStack } from "../src/testing/index.js";
import { findServerBin } from "../src/testing/postgres.js";
import { serviceClient } from "./helpers.js";

const API_KEY = "key_outage";
const LEASE = 30_000;
const isCi = /^(1|true)$/i.test(process.env.CI ?? "");
const TYPES = ["call_started", "transcript_updated", "call_ended", "call_analyzed"] as const;

/** A receiver whose clock the test moves, so a lapsed lease needs no waiting. */
function receiver(storage: WebhookStorage, clock: { now: number }, onCallEnded: () => Promise<void> = async () => undefined) {
  const runs: string[] = [];
  const run = async (event: { event: string }) => {
    runs.push(event.event);
  };
  const handler = createRetellHandler({
    apiKey: API_KEY,
    storage,
    leaseMs: LEASE,
    now: () => clock.now,
    logger: { error: () => undefined, warn: () => undefined },
    on: {
      call_started: run,
      transcript_updated: run,
      call_analyzed: run,
      call_ended: async (event) => {
        await run(event);
        await onCallEnded();
      },
    },
  });
  const deliver = async (type: (typeof TYPES)[number], callId: string) =>
    (await handler.fetch(await createSignedRetellRequest(retellSample(type, { callId }), { apiKey: API_KEY, timestamp: clock.now })))
      .status;
  return { runs, deliver };
}

const merged = (record: StoredRecord<object> | null) =>
  record &&
  JSON.parse(
    JSON.stringify({ fields: record.fields, data: record.data, versions: record.versions, eventTypes: record.eventTypes }).replaceAll(
      record.id,
      "CALL",
    ),
  );

// Stopping PostgreSQL needs a cluster of its own (never the shared server). In CI it must run.
describe.skipIf(!findServerBin() && !isCi)("PostgreSQL stops in the middle of a call", () => {
  let stack: SupabaseStack;
  beforeAll(async () => {
    stack = await startSupabaseStack({ databaseUrl: null });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers 500 while it is down, then the provider's retries complete the call: nothing lost, nothing half-written", async () => {
    const callId = "call_outage";
    const clock = { now: Date.now() };
    const storage = createSupabaseStorage({ client: serviceClient(stack) });
    let stopDuringHandler = false;
    const { runs, deliver } = receiver(storage, clock, async () => {
      if (stopDuringHandler) await stack.stopDatabase();
    });

    expect(await deliver("call_started", callId)).toBe(200);

    // Down: every delivery is refused with a 500, so Retell keeps it and retries.
    await stack.stopDatabase();
    expect(await deliver("transcript_updated", callId)).toBe(500);
    expect(await deliver("call_ended", callId)).toBe(500);
    await stack.startDatabase();

    // Back: the refused deliveries left nothing behind, not even part of their record patch.
    const retryUntilStored = async (type: (typeof TYPES)[number]) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const status = await deliver(type, callId);
        if (status !== 500) return status;
        await new Promise((resolve) => setTimeout(resolve, 100)); // PostgREST reconnecting
      }
      return 500;
    };
    expect((await storage.listEvents({ callId })).map((e) => e.type)).toEqual(["call_started"]);
    expect((await storage.getCall("retell", callId))?.eventTypes).toEqual(["call_started"]);

    // The call_ended retry is claimed, then the database dies while its handler runs.
    stopDuringHandler = true;
    expect(await retryUntilStored("call_ended")).toBe(500);
    stopDuringHandler = false;
    await stack.startDatabase();

    // Its claim and record patch committed together; the lease keeps a retry from running it twice
    // at once, and once the lease lapses the next retry runs it again and completes it.
    expect(await retryUntilStored("call_ended")).toBe(409);
    expect((await storage.listEvents({ callId, type: "call_ended" }))[0]).toMatchObject({ status: "processing", attempts: 1 });
    expect((await storage.getCall("retell", callId))?.eventTypes).toEqual(["call_ended", "call_started"]);
    clock.now += LEASE + 1;
    expect(await deliver("call_ended", callId)).toBe(200);
    expect(await deliver("transcript_updated", callId)).toBe(200);
    expect(await deliver("call_analyzed", callId)).toBe(200);
    expect(await deliver("call_analyzed", callId)).toBe(200); // a late duplicate

    expect(runs).toEqual(["call_started", "call_ended", "call_ended", "transcript_updated", "call_analyzed"]);
    const events = await storage.listEvents({ callId });
    expect(events.map((e) => [e.type, e.status]).sort()).toEqual([
      ["call_analyzed", "processed"],
      ["call_ended", "processed"],
      ["call_started", "processed"],
      ["transcript_updated", "processed"],
    ]);
    expect(events.find((e) => e.type === "call_ended")?.attempts).toBe(2);
    expect(await storage.countEvents()).toEqual({ pending: 0, processing: 0, processed: 4, failed: 0, dead: 0, quarantined: 0 });

    // The same record as an uneventful, in-order delivery gives.
    const reference = createMemoryStorage();
    const calm = receiver(reference, { now: Date.now() });
    for (const type of TYPES) expect(await calm.deliver(type, callId)).toBe(200);
    expect(merged(await storage.getCall("retell", callId))).toEqual(merged(await reference.getCall("retell", callId)));
  });
});
