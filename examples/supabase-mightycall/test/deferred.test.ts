import { randomUUID } from "node:crypto";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { type LocalEdgeFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import { createMightyCallHandler } from "@callhooks/webhook-core";
import { createMightyCallPushRequest, mightyCallSample } from "@callhooks/webhook-core/samples";
import { describe, expect, it } from "vitest";
import { FUNCTION, projectDir } from "./suite.js";

/*
 * The functions as deployed: deferred mode (answered 202 at once, processed right after) and the
 * worker that the scheduled sweep (pg_cron → pg_net, @callhooks/storage-supabase's sweep migration)
 * POSTs to. The cron side is tested in storage-supabase, with pg_cron; here, the function's side.
 */
const secret = `whsec_${randomUUID().replaceAll("-", "")}`;
const workerSecret = `worker_${randomUUID().replaceAll("-", "")}`;
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: { MIGHTYCALL_WEBHOOK_SECRET: secret, CALLHOOKS_WORKER_SECRET: workerSecret },
});

describe.skipIf(!running)("MightyCall functions deferred, with the sweep's worker", () => {
  const fn = running as LocalEdgeFunction;
  const call = async (callId: string) =>
    (await fn.db.from("calls").select("external_call_id, org_id").eq("external_call_id", callId).maybeSingle().throwOnError()).data;
  const organization = async () =>
    (
      (
        await fn.db
          .from("organizations")
          .insert({ name: `Deferred ${randomUUID()}` })
          .select("id")
          .single()
          .throwOnError()
      ).data as { id: string }
    ).id;

  it("answers 202 at once and writes the call right after", async () => {
    const org = await organization();
    const callId = `call_deferred_${randomUUID().slice(0, 8)}`;
    const response = await fetch(
      createMightyCallPushRequest(mightyCallSample("call.completed", { callId, orgId: org }), { secret, url: fn.url }),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "accepted" });
    let row = null;
    for (let i = 0; i < 100 && !row; i++) {
      row = await call(callId);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row).toEqual({ external_call_id: callId, org_id: org });
  });

  it("serves the worker only with its secret, and completes an event an instance left unfinished", async () => {
    const worker = `${fn.url.replace(/\/$/, "")}/worker`;
    expect((await fetch(worker, { method: "POST" })).status).toBe(401);
    // An instance that recorded the event (and its records) and died before processing it.
    const org = await organization();
    const callId = `call_left_${randomUUID().slice(0, 8)}`;
    const recorder = createMightyCallHandler({
      push: { secret },
      storage: createSupabaseStorage({ client: fn.db }),
      mode: "queue",
      logger: {},
    });
    expect(
      (await recorder.fetch(createMightyCallPushRequest(mightyCallSample("call.completed", { callId, orgId: org }), { secret }))).status,
    ).toBe(202);
    expect(await call(callId)).toBeNull();
    const swept = await fetch(worker, { method: "POST", headers: { authorization: `Bearer ${workerSecret}` } });
    expect(swept.status).toBe(200);
    expect(await call(callId)).toEqual({ external_call_id: callId, org_id: org });
    expect(fn.output()).not.toContain(workerSecret);
  });
});
