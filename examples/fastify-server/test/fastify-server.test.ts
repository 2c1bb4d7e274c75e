import { randomBytes } from "node:crypto";
import {
  createMightyCallEchoRequest,
  createMightyCallNativeRequest,
  createMightyCallPushRequest,
  createSignedRetellRequest,
  mightyCallSample,
  retellSample,
} from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, type Running, startFailure, startServer } from "./server.js";

/*
 * End to end, for real: `node src/server.ts` (Fastify with the callhooks plugin) in a child process
 * on a port the OS picks; signed Retell events and authenticated MightyCall events over HTTP, from
 * the sample helpers and the callhooks CLI; the merged call records read back through the server.
 */

const retellKey = `key_${randomBytes(12).toString("hex")}`;
const pushSecret = randomBytes(24).toString("hex");
const mightyCallKey = randomBytes(16).toString("hex");
const apiToken = randomBytes(24).toString("hex");
const RETELL = "/api/v1/webhook/retell";
const MIGHTYCALL = "/api/v1/webhook/mightycall";

let server: Running;
beforeAll(async () => {
  server = await startServer({
    RETELL_API_KEY: retellKey,
    MIGHTYCALL_WEBHOOK_SECRET: pushSecret,
    MIGHTYCALL_API_KEY: mightyCallKey,
    MIGHTYCALL_ORG_ID: "acme",
    API_TOKEN: apiToken,
  });
});
afterAll(() => server?.stop());

async function answer(request: Request | Promise<Request>) {
  const response = await fetch(await request);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}
const retell = (event: unknown, key = retellKey) =>
  answer(createSignedRetellRequest(event, { apiKey: key, url: `${server.url}${RETELL}` }));
const push = (event: unknown, secret = pushSecret) =>
  answer(createMightyCallPushRequest(event, { secret, url: `${server.url}${MIGHTYCALL}` }));
const native = (event: unknown, apiKey = mightyCallKey) =>
  answer(createMightyCallNativeRequest(event, { apiKey, url: `${server.url}${MIGHTYCALL}` }));

async function callOf(provider: string, id: string) {
  const response = await fetch(`${server.url}/api/v1/calls/${provider}/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
  expect(response.status).toBe(200);
  return response.json();
}

/** Log lines matching, once a marker logged after them has arrived (logs are piped and may trail). */
async function logged(pattern: string): Promise<number> {
  const marker = `call_marker_${randomBytes(4).toString("hex")}`;
  await retell(retellSample("call_ended", { callId: marker }));
  await server.waitFor(new RegExp(`retell call_ended ${marker}`));
  return server
    .output()
    .split("\n")
    .filter((line) => line.includes(`"msg":"${pattern}`)).length;
}

describe("Retell on Fastify", () => {
  it("processes an event once, however often Retell delivers it", async () => {
    const ended = retellSample("call_ended", { callId: "call_once" });
    expect(await retell(ended)).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await retell(ended)).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(await logged("retell call_ended call_once")).toBe(1);
  });

  it("merges a call into the same record whatever order its events arrive in", async () => {
    for (const type of ["call_started", "call_ended", "call_analyzed"] as const)
      await retell(retellSample(type, { callId: "call_in_order" }));
    for (const type of ["call_analyzed", "call_ended", "call_analyzed", "call_started"] as const)
      await retell(retellSample(type, { callId: "call_backwards" }));
    const inOrder = await callOf("retell", "call_in_order");
    expect(inOrder).toMatchObject({
      status: "ended",
      durationMs: 95_000,
      summary: "The caller booked a cleaning for tomorrow.",
      successful: true,
    });
    expect(await callOf("retell", "call_backwards")).toEqual({ ...inOrder, id: "call_backwards" });
  });

  it("refuses forged signatures, from the helpers and from the callhooks CLI", async () => {
    expect(await retell(retellSample("call_ended", { callId: "call_forged" }), "key_forger")).toMatchObject({
      status: 401,
      body: { error: "invalid_signature" },
    });
    const forged = await cli(
      ["send", "call_started", "--call-id", "call_forged", "--bad-signature", "--expect", "401", "--url", `${server.url}${RETELL}`],
      {
        RETELL_API_KEY: retellKey,
      },
    );
    expect(forged).toMatchObject({ code: 0, stdout: expect.stringContaining("401") });
    expect(
      (await fetch(`${server.url}/api/v1/calls/retell/call_forged`, { headers: { authorization: `Bearer ${apiToken}` } })).status,
    ).toBe(404);
  });

  it("answers call_inbound, and a retry with the same answer", async () => {
    const inbound = retellSample("call_inbound", { callId: "call_inbound_1" });
    const expected = { call_inbound: { dynamic_variables: { caller_number: "+14155550100" } } };
    expect(await retell(inbound)).toMatchObject({ status: 200, body: expected });
    expect(await retell(inbound)).toMatchObject({ status: 200, body: expected });
  });

  it("checks the endpoint and says which URL to configure", async () => {
    const check = await (await fetch(`${server.url}${RETELL}/test`)).json();
    expect(check).toMatchObject({ status: "ok", webhook_url: `${server.url}${RETELL}` });
  });
});

describe("MightyCall on Fastify", () => {
  it("takes push events with the Bearer secret, once, and refuses a forged one", async () => {
    const completed = mightyCallSample("call.completed", { callId: "mc_push_1" });
    expect(await push(completed)).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await push(completed)).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(await push(completed, "not-the-secret")).toMatchObject({ status: 401, body: { error: "unauthorized" } });
    expect(await push({ ...completed, event: "call.started" })).toMatchObject({ status: 202, body: { status: "quarantined" } });
    expect(await logged("mightycall call.completed mc_push_1 completed")).toBe(1);
    const forged = await cli(["send", "call.completed", "--bad-signature", "--expect", "401", "--url", `${server.url}${MIGHTYCALL}`], {
      MIGHTYCALL_WEBHOOK_SECRET: pushSecret,
    });
    expect(forged.code).toBe(0);
  });

  it("merges native events into one call, in any order: completed with its talk time, or missed", async () => {
    const inOrder = ["IncomingCall", "IncomingCallRinging", "IncomingCallConnected", "IncomingCallCompleted"] as const;
    for (const type of inOrder) expect((await native(mightyCallSample(type, { callId: "mc_in_order" }))).status).toBe(200);
    for (const type of [...inOrder].reverse()) await native(mightyCallSample(type, { callId: "mc_backwards" }));
    await native(mightyCallSample("IncomingCallCompleted", { callId: "mc_backwards" })); // a retry

    const completed = await callOf("mightycall", "mc_in_order");
    expect(completed).toMatchObject({ org_id: "acme", status: "completed", direction: "inbound" });
    expect(completed.durationMs).toBeGreaterThan(0);
    expect(await callOf("mightycall", "mc_backwards")).toEqual({ ...completed, id: "mc_backwards" });

    for (const type of ["IncomingCallCompleted", "IncomingCall"] as const) await native(mightyCallSample(type, { callId: "mc_missed" }));
    expect(await callOf("mightycall", "mc_missed")).toMatchObject({ status: "missed", durationMs: 0 });
  });

  it("refuses a native event with the wrong account key, and answers MightyCall's Echo check", async () => {
    expect(await native(mightyCallSample("IncomingCall", { callId: "mc_forged" }), "wrong-key")).toMatchObject({ status: 401 });
    const echo = await answer(createMightyCallEchoRequest("check-123", { url: `${server.url}${MIGHTYCALL}` }));
    expect(echo.status).toBe(200);
    expect(echo.headers.get("echo")).toBe("check-123");
  });

  it("acknowledges an EventType MightyCall adds later", async () => {
    const later = { EventType: "VoicemailLeft", Body: { Id: "mc_voicemail" }, Timestamp: "2026-03-14T14:40:00.0000000Z" };
    expect(await native(later)).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await logged("mightycall new EventType VoicemailLeft")).toBe(1);
  });
});

describe("behind one proxy, with Retell's address allowlisted", () => {
  it("lets in only the address the proxy appended, and builds the public URL from the proxy's headers", async () => {
    const proxied = await startServer({ RETELL_API_KEY: retellKey, RETELL_ALLOWED_IPS: "100.20.5.228", TRUST_PROXY: "1" });
    try {
      const deliver = async (xff: string) =>
        (
          await fetch(
            await createSignedRetellRequest(retellSample("call_started"), {
              apiKey: retellKey,
              url: `${proxied.url}${RETELL}`,
              headers: { "x-forwarded-for": xff },
            }),
          )
        ).status;
      expect([await deliver("100.20.5.228"), await deliver("203.0.113.9"), await deliver("100.20.5.228, 203.0.113.9")]).toEqual([
        200, 403, 403,
      ]);
      const check = await fetch(`${proxied.url}${RETELL}/test`, {
        headers: { "x-forwarded-proto": "https", "x-forwarded-host": "abc.trycloudflare.com" },
      });
      expect((await check.json()).webhook_url).toBe("https://abc.trycloudflare.com/api/v1/webhook/retell");
    } finally {
      await proxied.stop();
    }
  });
});

describe("the rest of the app", () => {
  it("serves the OpenAPI document for both providers, and its HTML page", async () => {
    const json = await (await fetch(`${server.url}/docs/openapi.json`)).json();
    expect(Object.keys(json.paths).sort()).toEqual([MIGHTYCALL, RETELL]);
    expect(Object.keys(json.paths[MIGHTYCALL]).sort()).toEqual(["get", "post"]);
    for (const name of ["RetellWebhookEvent", "MightyCallPushEvent", "MightyCallNativeEvent", "MightyCallIncomingCallCompletedEvent"]) {
      expect(json.components.schemas).toHaveProperty(name);
    }
    const page = await fetch(`${server.url}/docs`);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await page.text()).toContain("MightyCallCallCompletedEvent");
  });

  it("keeps JSON parsing for its own routes and guards the calls API", async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok", providers: { retell: true, mightycall: true } });
    expect((await fetch(`${server.url}/api/v1/calls/retell/call_once`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/calls/retell/call_once`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it("never prints a secret", () => {
    for (const secret of [retellKey, pushSecret, mightyCallKey, apiToken]) expect(server.output()).not.toContain(secret);
  });

  it("refuses to start with nothing to receive, naming the variables", async () => {
    const { code, output } = await startFailure({ API_TOKEN: "short" });
    expect(code).toBe(1);
    expect(output).toContain("Nothing to receive: set RETELL_API_KEY");
    expect(output).toContain("MIGHTYCALL_WEBHOOK_SECRET");
    expect(output).toContain("API_TOKEN must be at least 24 characters");
    expect(output).not.toContain("short\n");
  });
});
