import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler, type ClaimRequest, RETELL_SIGNATURE_HEADER, signRetellPayload } from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/testing";

/** A claim whose record data is the payload's `call`, with the body text as given. */
const claim = (payload: { call: Record<string, unknown> }, text: string, exact: boolean | undefined): ClaimRequest => ({
  event: {
    provider: "p",
    key: "k",
    type: "t",
    callId: null,
    orgId: null,
    payload,
    payloadText: text,
    payloadTextExact: exact,
    receivedAt: 1,
  },
  records: [
    { kind: "call", provider: "p", id: "c", orgId: null, eventType: "t", version: "10.0000000000000000.k", fields: {}, data: payload.call },
  ],
  mode: "complete",
  leaseMs: 1000,
  now: 1,
});

describe("storage-memory: record data kept as references into the body text", () => {
  it("reads the data from the payload when the text is not said to be exact", async () => {
    // A legacy body: the text has `data`, validation gave the payload `call` as well.
    const call = { call_id: "c", transcript_object: [{ role: "agent", content: "Hi" }] };
    const text = JSON.stringify({ event: "call_ended", data: call });
    for (const exact of [false, undefined]) {
      const storage = createMemoryStorage();
      await storage.claim(claim({ call }, text, exact));
      expect((await storage.getCall("p", "c"))?.data).toEqual(call);
    }
  });

  it("reads a large body's record data back from its text when it is exact", async () => {
    // Large: small bodies' records keep their parsed objects (references would cost more than they save).
    const transcript_object = Array.from({ length: 500 }, (_, i) => ({ role: "agent", content: `Hi ${i}` }));
    const call = { call_id: "c", transcript_object, call_analysis: { ok: true } };
    const payload = { event: "call_analyzed", call };
    // The text is the truth the storage keeps: a value only the text has shows it was read from there.
    const text = JSON.stringify({ event: "call_analyzed", call: { ...call, call_analysis: { ok: "from text" } } });
    const storage = createMemoryStorage();
    await storage.claim(claim(payload, text, true));
    expect((await storage.getCall("p", "c"))?.data.call_analysis).toEqual({ ok: "from text" });
  });

  it("reads data back from a large body, kept as UTF-8, whatever its characters", async () => {
    const transcript_object = Array.from({ length: 400 }, (_, i) => ({ role: i % 2 ? "user" : "agent", content: `ünï ✓ 𝄞 ${i}` }));
    const call = { call_id: "c", transcript_object, call_analysis: { summary: "¿qué?" } };
    const payload = { event: "call_analyzed", call };
    const text = JSON.stringify(payload);
    expect(text.length).toBeGreaterThan(16 * 1024);
    const storage = createMemoryStorage();
    await storage.claim(claim(payload, text, true));
    expect((await storage.getCall("p", "c"))?.data).toEqual(call);
  });

  it("keeps a legacy body's call record whole through the pipeline", async () => {
    const storage = createMemoryStorage();
    const handler = createRetellHandler({ apiKey: "key_text_refs_0001", storage, on: { call_ended: () => undefined } });
    const { call, ...rest } = retellSample("call_ended", { callId: "legacy-refs" }) as { call: Record<string, unknown> };
    const body = JSON.stringify({ ...rest, data: call });
    const response = await handler.fetch(
      new Request("http://localhost/", {
        method: "POST",
        headers: { [RETELL_SIGNATURE_HEADER]: await signRetellPayload(body, "key_text_refs_0001") },
        body,
      }),
    );
    expect(response.status).toBe(200);
    expect((await storage.getCall("retell", "legacy-refs"))?.data).toEqual(call);
  });
});
