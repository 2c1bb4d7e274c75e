import type { ChildProcess } from "node:child_process";
import { sign } from "retell-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKey } from "./job.js";
import { assertBuilt, childEnv, fixture, missing, runtimes, type Served, serve } from "./runtimes.js";

const deno = runtimes.deno;
const skip = missing(deno);

describe.skipIf(skip)("Supabase Edge Function (Deno.serve) over real HTTP", () => {
  let url: string;
  let child: ChildProcess;
  let waitFor: Served["waitFor"];

  beforeAll(async () => {
    assertBuilt();
    // DENO_SERVE_ADDRESS lets the function keep Supabase's plain Deno.serve(handler) and still listen on a free port.
    ({ url, child, waitFor } = await serve(
      deno.bin,
      ["run", "--allow-net", "--allow-env", "--allow-read", "supabase/functions/retell-webhook/index.ts"],
      childEnv({ RETELL_API_KEY: apiKey, DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0" }),
    ));
  });
  afterAll(() => {
    child?.kill();
  });

  const post = async (file: string, key = apiKey) => {
    const body = fixture(file);
    const response = await fetch(`${url}/retell-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-retell-signature": await sign(body.toString("utf8"), key) },
      body: new Uint8Array(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it("processes a signed call_ended once and acknowledges its redelivery", async () => {
    const first = await post("call_ended.phone.json");
    const again = await post("call_ended.phone.json");
    expect([first.status, first.json.status, again.status, again.json.status]).toEqual([200, "processed", 200, "duplicate"]);
    const callId = (JSON.parse(fixture("call_ended.phone.json").toString("utf8")) as { call: { call_id: string } }).call.call_id;
    const logged = await waitFor(new RegExp(`call ${callId} ended`));
    expect(logged.match(new RegExp(`call ${callId} ended`, "g"))).toHaveLength(1);
  });

  it("answers call_inbound with the typed response", async () => {
    const inbound = JSON.parse(fixture("call_inbound.json").toString("utf8")) as { call_inbound: { from_number: string } };
    const res = await post("call_inbound.json");
    expect(res).toEqual({ status: 200, json: { call_inbound: { dynamic_variables: { caller: inbound.call_inbound.from_number } } } });
  });

  it("refuses a forged signature without leaking the key", async () => {
    const res = await post("call_ended.phone.json", "key_forger");
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.json) + (await waitFor(/Listening/))).not.toContain(apiKey);
  });
});
