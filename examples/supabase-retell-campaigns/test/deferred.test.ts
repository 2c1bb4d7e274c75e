import { randomUUID } from "node:crypto";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { type LocalEdgeFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import { createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { describe, expect, it } from "vitest";
import { FUNCTION, projectDir } from "./suite.js";

/*
 * The function as deployed: deferred mode (answered 202 at once, processed right after) and the
 * worker that the scheduled sweep (pg_cron → pg_net, @callhooks/storage-supabase's sweep migration)
 * POSTs to. The cron side is tested in storage-supabase, with pg_cron; here, the function's side.
 */
const apiKey = `key_deferred_${randomUUID().replaceAll("-", "")}`;
const workerSecret = `worker_${randomUUID().replaceAll("-", "")}`;
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: { RETELL_API_KEY: apiKey, CALLHOOKS_WORKER_SECRET: workerSecret },
});

describe.skipIf(!running)("retell-webhook deferred, with the sweep's worker", () => {
  const fn = running as LocalEdgeFunction;
  const call = async (callId: string) =>
    (await fn.db.from("calls").select("retell_call_id, status").eq("retell_call_id", callId).maybeSingle().throwOnError()).data;
  const until = async <T>(read: () => Promise<T | null>) => {
    for (let i = 0; i < 100; i++) {
      const value = await read();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return null;
  };

  it("answers Retell 202 at once and writes the call right after", async () => {
    const callId = `call_deferred_${randomUUID().slice(0, 8)}`;
    const response = await fetch(await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey, url: fn.url }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "accepted", event_id: expect.any(String) });
    expect(await until(() => call(callId))).toMatchObject({ retell_call_id: callId });
  });

  it("serves the worker only with its secret, and completes an event an instance left unfinished", async () => {
    const worker = `${fn.url.replace(/\/$/, "")}/worker`;
    expect((await fetch(worker, { method: "POST" })).status).toBe(401);
    expect((await fetch(worker, { method: "POST", headers: { authorization: `Bearer ${workerSecret}x` } })).status).toBe(401);
    // An instance that recorded an event (and its call record) and died before processing it: the
    // event is pending, as the sweep finds it.
    const callId = `call_left_${randomUUID().slice(0, 8)}`;
    const recorder = createRetellHandler({ apiKey, storage: createSupabaseStorage({ client: fn.db }), mode: "queue", logger: {} });
    expect((await recorder.fetch(await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey }))).status).toBe(202);
    expect(await call(callId)).toBeNull();
    const swept = await fetch(worker, { method: "POST", headers: { authorization: `Bearer ${workerSecret}` } });
    expect(swept.status).toBe(200);
    expect(await swept.json()).toMatchObject({ processed: expect.any(Number) });
    expect(await call(callId)).toMatchObject({ retell_call_id: callId });
    expect(fn.output()).not.toContain(workerSecret);
  });
});
