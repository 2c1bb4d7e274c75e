import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { type StoredRecord, type WebhookStorage, createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { describe, expect, it } from "vitest";
import { serviceClient, stack, storageFor } from "./helpers.js";

const API_KEY = "key_out_of_order";
const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/retell/", import.meta.url));
const FILES = ["call_started.phone.json", "transcript_updated.json", "call_ended.phone.json", "call_analyzed.phone.json"];
type CallEvent = { event: string; call: Record<string, unknown> };
/** One real-sized Retell call's lifecycle (about 130 KB of events); the small samples outside the repo. */
const lifecycle: CallEvent[] = existsSync(FIXTURES)
  ? FILES.map((file) => JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as CallEvent)
  : (["call_started", "transcript_updated", "call_ended", "call_analyzed"] as const).map(
      (type) => retellSample(type) as unknown as CallEvent,
    );

const forCall = (callId: string) => lifecycle.map((event) => ({ ...event, call: { ...event.call, call_id: callId } }));

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function receiver(storage: WebhookStorage) {
  const runs: string[] = [];
  const record = (event: { event: string }) => {
    runs.push(event.event);
  };
  const handler = createRetellHandler({
    apiKey: API_KEY,
    storage,
    on: { call_started: record, transcript_updated: record, call_ended: record, call_analyzed: record },
  });
  const deliver = async (event: unknown) => (await handler.fetch(await createSignedRetellRequest(event, { apiKey: API_KEY }))).status;
  return { runs, deliver };
}

/** What must be equal, with the call id (it is in the data and in every version's tiebreak) made neutral. */
const comparable = (record: StoredRecord<object> | null) =>
  record &&
  JSON.parse(
    JSON.stringify({
      orgId: record.orgId,
      fields: record.fields,
      data: record.data,
      versions: record.versions,
      eventTypes: record.eventTypes,
    }).replaceAll(record.id, "CALL"),
  );

describe.skipIf(!stack)("a whole Retell call delivered out of order", () => {
  it("gives the same call record in all 24 orders, and the same as in order in memory; retries change nothing", async () => {
    const reference = createMemoryStorage();
    const inOrder = receiver(reference);
    for (const event of forCall("call_reference")) expect(await inOrder.deliver(event)).toBe(200);
    const expected = comparable(await reference.getCall("retell", "call_reference"));
    expect(expected?.fields).toMatchObject({ status: "ended", durationMs: expect.any(Number), summary: expect.any(String) });

    const storage = storageFor(stack!);
    const run = Date.now().toString(36);
    for (const [n, order] of permutations([0, 1, 2, 3]).entries()) {
      const callId = `call_ooo_${run}_${n}`;
      const events = forCall(callId);
      const { runs, deliver } = receiver(storage);
      for (const i of order) expect(await deliver(events[i])).toBe(200);
      // The provider retries some of them: acknowledged as duplicates, handlers not run again.
      for (const i of order.slice().reverse()) expect(await deliver(events[i])).toBe(200);
      expect(runs.sort()).toEqual(["call_analyzed", "call_ended", "call_started", "transcript_updated"]);
      expect(comparable(await storage.getCall("retell", callId)), `order ${order.join(",")}`).toEqual(expected);
    }
  });

  it("fills the typed columns from the merged fields", async () => {
    const storage = storageFor(stack!);
    const callId = `call_columns_${Date.now().toString(36)}`;
    const { deliver } = receiver(storage);
    for (const event of forCall(callId).reverse()) expect(await deliver(event)).toBe(200);
    const record = await storage.getCall("retell", callId);
    const { data, error } = await serviceClient(stack!)
      .from("callhooks_calls")
      .select(
        "status,direction,from_number,to_number,business_number,agent_id,started_at,ended_at,duration_ms,successful,cost_cents,event_types",
      )
      .eq("provider", "retell")
      .eq("id", callId)
      .single();
    expect(error).toBeNull();
    const fields = record?.fields ?? {};
    expect(data).toMatchObject({
      status: fields.status,
      direction: fields.direction,
      from_number: fields.from,
      to_number: fields.to,
      business_number: fields.businessNumber,
      agent_id: fields.agentId,
      duration_ms: fields.durationMs,
      successful: fields.successful ?? null,
      event_types: ["call_analyzed", "call_ended", "call_started", "transcript_updated"],
    });
    expect(Date.parse(data?.started_at)).toBe(fields.startedAt);
    expect(Date.parse(data?.ended_at)).toBe(fields.endedAt);
    expect(Number(data?.cost_cents)).toBe(fields.costCents);
  });
});
