import { readFileSync } from "node:fs";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createRetellHandler,
  replayEvents,
  type InvalidContext,
  type RetellHandlerOptions,
  type StoredEvent,
  WEBHOOK_LIMITS,
  WebhookAuthenticationError,
  WebhookValidationError,
} from "@callhooks/webhook-core";
import { createWebhookHandler } from "@callhooks/webhook-core/provider";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { z } from "zod";
import { recordingLogger } from "./helpers.ts";

const API_KEY = "key_quarantine_0123456789";
const realFixture = (name: string) => readFileSync(new URL(`./fixtures/retell-real/${name}`, import.meta.url), "utf8");

function setup(options: Partial<RetellHandlerOptions> = {}) {
  const storage = createMemoryStorage();
  const { lines, logger } = recordingLogger();
  const invalid: Array<{ payload: unknown; context: InvalidContext }> = [];
  const handler = createRetellHandler({
    apiKey: API_KEY,
    storage,
    logger,
    onInvalid: (payload, context) => void invalid.push({ payload, context }),
    ...options,
  });
  const send = async (event: unknown, key = API_KEY) => {
    const response = await handler.fetch(await createSignedRetellRequest(event, { apiKey: key }));
    const text = await response.text();
    return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
  };
  const stored = async (id: string) => (await storage.getEvent(id)) as StoredEvent;
  return { storage, handler, send, invalid, stored, logLines: lines };
}

/** A genuine call_ended with a field of the wrong type: authenticated, but not what the schema says. */
function invalidCallEnded(callId = "call_invalid_1") {
  const event = retellSample("call_ended") as { call: Record<string, unknown> };
  event.call.call_id = callId;
  event.call.duration_ms = "ninety-five seconds";
  return event;
}

describe("real Retell traffic", () => {
  it.each([["call_ended.not_connected.dial_no_answer.json"], ["call_ended.docs_sample_2024.json"]])(
    "accepts and types %s",
    async (name) => {
      const calls: Array<{ id: string; cost: number | null | undefined; reason: string | null | undefined }> = [];
      const { send, storage } = setup({
        on: {
          call_ended: (event) => {
            expectTypeOf(event.call.call_id).toEqualTypeOf<string>();
            calls.push({ id: event.call.call_id, cost: event.call.call_cost?.combined_cost, reason: event.call.disconnection_reason });
          },
        },
      });
      const body = realFixture(name);
      const response = await send(body);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ status: "processed" });
      const json = JSON.parse(body);
      expect(calls).toEqual([{ id: json.call.call_id, cost: json.call.call_cost?.combined_cost, reason: json.call.disconnection_reason }]);
      expect((await storage.getCall("retell", json.call.call_id))?.fields.disconnectionReason).toBe(json.call.disconnection_reason);
    },
  );

  it("counts the unanswered call's cost as zero on its record", async () => {
    const { send, storage } = setup();
    await send(realFixture("call_ended.not_connected.dial_no_answer.json"));
    const call = await storage.getCall("retell", "call_4df0d695a64bd225aebe0d36fc4");
    expect(call?.fields).toMatchObject({ costCents: 0, durationMs: 0, status: "not_connected", from: "iatizeia" });
  });
});

describe("quarantine: authentication keeps, validation types", () => {
  it("keeps an authenticated body that fails its schema, answers 202 quarantined, and never runs a handler", async () => {
    const ran = vi.fn();
    const { send, storage, stored, invalid } = setup({ on: { call_ended: ran } });
    const body = invalidCallEnded();
    const response = await send(body);
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ status: "quarantined", event_id: expect.any(String) });
    expect(response.text).not.toContain("ninety-five");
    expect(ran).not.toHaveBeenCalled();
    const event = await stored(response.json.event_id);
    expect(event).toMatchObject({
      status: "quarantined",
      type: "call_ended",
      key: "call_ended:call_invalid_1",
      callId: "call_invalid_1",
      attempts: 0,
    });
    expect(event.payload).toEqual(body);
    expect(event.issues).toEqual([{ path: "call.duration_ms", message: expect.any(String) }]);
    expect(event.lastError).toMatch(/call_ended.*call\.duration_ms/);
    expect(await storage.countEvents()).toMatchObject({ quarantined: 1, processed: 0 });
    expect((await storage.listEvents({ status: "quarantined" })).map((e) => e.id)).toEqual([event.id]);
    expect(await storage.getCall("retell", "call_invalid_1")).toBeNull();
    // The app can still act on it, once, with the body and the reasons.
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.payload).toEqual(body);
    expect(invalid[0]?.context).toMatchObject({
      provider: "retell",
      eventId: event.id,
      type: "call_ended",
      key: event.key,
      issues: event.issues,
    });
  });

  it("answers a second delivery of a quarantined event the same way, without keeping it twice or calling onInvalid again", async () => {
    const { send, storage, invalid } = setup();
    const first = await send(invalidCallEnded());
    const second = await send(invalidCallEnded());
    expect(second).toMatchObject({ status: 202, json: { status: "quarantined", event_id: first.json.event_id } });
    expect((await storage.countEvents()).quarantined).toBe(1);
    expect(invalid).toHaveLength(1);
  });

  it("names a body that carries no id by its content: the same body is one event, another body another", async () => {
    const { send, storage } = setup();
    const a = await send({ event: "call_ended", call: { duration_ms: 1 } });
    const again = await send({ event: "call_ended", call: { duration_ms: 1 } });
    const b = await send({ event: "call_ended", call: { duration_ms: 2 } });
    const c = await send({ call: { call_id: "no-event-field" } });
    expect(again.json.event_id).toBe(a.json.event_id);
    expect(b.json.event_id).not.toBe(a.json.event_id);
    expect((await storage.getEvent(c.json.event_id))?.type).toBe("unknown");
    expect((await storage.countEvents()).quarantined).toBe(3);
  });

  it("answers an invalid call_inbound with no override, so the call still goes ahead with the number's default agent", async () => {
    const inbound = vi.fn();
    const { send, storage } = setup({ on: { call_inbound: inbound } });
    const response = await send({
      event: "call_inbound",
      event_timestamp: 1,
      call_inbound: { from_number: 14155550100, to_number: "+14155550111" },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ call_inbound: {} });
    expect(inbound).not.toHaveBeenCalled();
    expect((await storage.countEvents()).quarantined).toBe(1);
  });

  it("still refuses what no storage can keep: unauthenticated (before parsing), not JSON, not an object", async () => {
    const { send, storage, handler, invalid } = setup();
    expect((await send(invalidCallEnded(), "key_someone_else")).status).toBe(401);
    expect((await send("{not json")).status).toBe(400);
    for (const body of ["[1,2]", '"call_ended"', "42", "null"]) {
      const response = await send(body);
      expect(response.status, body).toBe(400);
      expect(response.json.error).toBe("invalid_payload");
    }
    expect((await handler.handle({ method: "POST", headers: {}, body: JSON.stringify(invalidCallEnded()) })).status).toBe(401);
    expect(await storage.listEvents()).toEqual([]);
    expect(invalid).toEqual([]);
  });

  it("without a storage, calls onInvalid and answers 400: nothing could keep it", async () => {
    const { send, invalid } = setup({ storage: undefined });
    const response = await send(invalidCallEnded());
    expect(response.status).toBe(400);
    expect(response.json.error).toBe("invalid_payload");
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.context.eventId).toBeNull();
  });

  it("keeps the quarantine when onInvalid throws, and reports the failure", async () => {
    const { send, stored, logLines } = setup({
      onInvalid: () => {
        throw new Error("alerting is down");
      },
    });
    const response = await send(invalidCallEnded());
    expect(response.status).toBe(202);
    expect((await stored(response.json.event_id)).status).toBe("quarantined");
    expect(logLines.join("\n")).toContain("alerting is down");
  });
});

describe("limits: bounded before storage", () => {
  const longId = (length: number) => `call_${"x".repeat(length)}`;

  it.each([3_000, 100_000])("quarantines a call_id of %i characters, storing bounded names only", async (length) => {
    const { send, stored } = setup();
    const event = retellSample("call_ended") as { call: Record<string, unknown> };
    event.call.call_id = longId(length);
    const response = await send(event);
    expect(response.status).toBe(202);
    const kept = await stored(response.json.event_id);
    expect(kept.status).toBe("quarantined");
    expect(kept.callId).toBeNull();
    expect(kept.key.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxKeyLength);
    expect(kept.issues?.map((issue) => issue.path)).toContain("(call id)");
    expect(JSON.stringify(kept.issues)).not.toContain("xxxxxxxxxx".repeat(20));
  });

  it("quarantines an unknown event type of 3,000 characters", async () => {
    const { send, stored } = setup();
    const type = `call_${"z".repeat(3_000)}`;
    const response = await send({ event: type, call: { call_id: "call_long_type" } });
    const kept = await stored(response.json.event_id);
    expect(kept).toMatchObject({ status: "quarantined", callId: "call_long_type" });
    expect(kept.type.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxTypeLength);
    expect(kept.key.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxKeyLength);
  });

  it("processes a transfer to a 5,000-character destination under a bounded key, and deduplicates it", async () => {
    const ran = vi.fn();
    const { send, stored } = setup({ on: { transfer_started: ran } });
    const event = retellSample("transfer_started") as Record<string, unknown>;
    event.transfer_destination = { number: `+1${"5".repeat(5_000)}` };
    const first = await send(event);
    expect(first.json).toMatchObject({ status: "processed" });
    const kept = await stored(first.json.event_id);
    expect(kept.key.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.maxKeyLength);
    expect(kept.key).toMatch(/^transfer_started:.*#sha256:[0-9a-f]{64}$/);
    expect((await send(event)).json).toMatchObject({ status: "duplicate", event_id: kept.id });
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it.each([10_000, 100_000])("quarantines %i levels of nesting in an unknown field, kept as its exact text", async (depth) => {
    const { send, stored } = setup();
    const event = retellSample("call_ended") as { call: Record<string, unknown> };
    event.call.call_id = `call_deep_${depth}`;
    const body = JSON.stringify(event).replace(/}$/, `,"extra":${"[".repeat(depth)}${"]".repeat(depth)}}`);
    const response = await send(body);
    expect(response.status).toBe(202);
    const kept = await stored(response.json.event_id);
    expect(kept).toMatchObject({ status: "quarantined", key: `call_ended:call_deep_${depth}`, callId: `call_deep_${depth}` });
    expect(kept.payload).toBe(body);
    expect(kept.issues?.[0]?.message).toMatch(/deeper than 100/);
  });

  it("bounds what a validation error echoes: a 200,000-character key name stays out of answers and issues", async () => {
    const hugeKey = "k".repeat(200_000);
    const event = retellSample("call_ended") as { call: Record<string, unknown> };
    event.call.retell_llm_dynamic_variables = { [hugeKey]: 42 };
    const unstored = await setup({ storage: undefined }).send(event);
    expect(unstored.status).toBe(400);
    expect(unstored.text.length).toBeLessThan(1_000);
    const { send, stored } = setup();
    const kept = await stored((await send(event)).json.event_id);
    expect(kept.issues?.[0]?.path).toMatch(/^call\.retell_llm_dynamic_variables\.k+…$/);
    expect(JSON.stringify(kept.issues).length).toBeLessThan(600);
    expect(kept.lastError?.length).toBeLessThan(600);
  });
});

describe("replay of quarantined events", () => {
  /** A provider whose schema the test controls: strict first, relaxed later, as after a library upgrade. */
  function controlled() {
    let schema: z.ZodType<{ kind: string; id: string; amount: number }> = z.object({
      kind: z.string(),
      id: z.string(),
      amount: z.number(),
    });
    const storage = createMemoryStorage();
    const ran: unknown[] = [];
    const handler = createWebhookHandler<{ kind: string; id: string; amount: number }>(
      {
        provider: "controlled",
        authenticate: ({ header }) => {
          if (header("x-token") !== "letmein") throw new WebhookAuthenticationError("no token");
        },
        parse: (body) => {
          const result = schema.safeParse(body);
          if (!result.success)
            throw new WebhookValidationError("invalid_payload", "Invalid controlled payload", [
              { path: "amount", message: "Expected a number" },
            ]);
          return result.data;
        },
        identify: (body) => ({
          type: typeof body.kind === "string" ? body.kind : null,
          key: typeof body.id === "string" ? `${body.kind}:${body.id}` : null,
          callId: null,
        }),
        describe: (event) => ({
          type: event.kind,
          key: `${event.kind}:${event.id}`,
          callId: event.id,
          orgId: null,
          records: [
            {
              kind: "call",
              provider: "controlled",
              id: event.id,
              orgId: null,
              eventType: event.kind,
              version: "10",
              fields: { costCents: event.amount },
            },
          ],
          payload: event,
        }),
      },
      { on: { paid: (event: never) => void ran.push(event) }, isKnown: (type) => type === "paid" },
      { storage, logger: {} },
    );
    const send = (body: unknown) =>
      handler
        .handle({ method: "POST", headers: { "x-token": "letmein" }, body: JSON.stringify(body) })
        .then((r) => ({ ...r, json: JSON.parse(r.body) }));
    const relax = () => {
      schema = z.object({ kind: z.string(), id: z.string(), amount: z.coerce.number() });
    };
    return { storage, handler, send, relax, ran };
  }

  it("re-parses with the current schemas: one that still fails stays quarantined; once relaxed it is processed, with its records", async () => {
    const { storage, handler, send, relax, ran } = controlled();
    const response = await send({ kind: "paid", id: "p1", amount: "12.5" });
    expect(response.json.status).toBe("quarantined");
    const id = response.json.event_id as string;

    const still = await replayEvents({ storage, handlers: [handler], ids: [id], logger: {} });
    expect(still.events[0]?.outcome).toBe("quarantined");
    expect((await storage.getEvent(id))?.status).toBe("quarantined");
    expect(ran).toEqual([]);

    relax();
    const replayed = await replayEvents({ storage, handlers: [handler], filter: { status: "quarantined" }, logger: {} });
    expect(replayed.counts.processed).toBe(1);
    expect(ran).toEqual([{ kind: "paid", id: "p1", amount: 12.5 }]);
    expect(await storage.getEvent(id)).toMatchObject({ status: "processed", issues: null, lastError: null, attempts: 1 });
    expect((await storage.getCall("controlled", "p1"))?.fields.costCents).toBe(12.5);
    // A later delivery of it is a duplicate of the event that is now processed.
    expect((await send({ kind: "paid", id: "p1", amount: "12.5" })).json).toMatchObject({ status: "duplicate", event_id: id });
  });

  it("without a handler for it, a quarantined event is left alone (only a handler can parse it again)", async () => {
    const { storage, send } = controlled();
    const id = (await send({ kind: "paid", id: "p2", amount: "x" })).json.event_id as string;
    const result = await replayEvents({ storage, handlers: [], ids: [id], logger: {} });
    expect(result.events[0]?.outcome).toBe("taken");
    expect((await storage.getEvent(id))?.status).toBe("quarantined");
  });

  it("a body kept as text because it nested too deep stays quarantined when replayed", async () => {
    const { storage, handler, send } = setup();
    const event = retellSample("call_ended") as { call: Record<string, unknown> };
    event.call.call_id = "call_deep_replay";
    const body = JSON.stringify(event).replace(/}$/, `,"extra":${"[".repeat(500)}${"]".repeat(500)}}`);
    const id = (await send(body)).json.event_id as string;
    const result = await replayEvents({ storage, handlers: [handler], ids: [id], logger: {} });
    expect(result.events[0]?.outcome).toBe("quarantined");
    expect((await storage.getEvent(id))?.payload).toBe(body);
  });
});
