import { randomBytes } from "node:crypto";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, missing, type Running, runtimes, startFailure, startServer } from "./runtimes.js";

/*
 * The same src/app.ts, served for real by Node (@hono/node-server), Bun (Bun.serve) and Deno
 * (Deno.serve) in child processes, each from the npm packages; signed Retell events over HTTP from
 * the sample helpers and the callhooks CLI; the merged call records read back through the server.
 */

const apiKey = `key_${randomBytes(12).toString("hex")}`;
const apiToken = randomBytes(24).toString("hex");
const RETELL = "/api/v1/webhook/retell";

describe.each(runtimes)("hono-server on $name", (runtime) => {
  const skip = missing(runtime);
  let server: Running;
  beforeAll(async () => {
    if (skip) return;
    // The allowlist holds the loopback address the test connects from: a 200 proves the runtime's
    // entry file found the client address (an address it could not find is refused, 403).
    server = await startServer(runtime, { RETELL_API_KEY: apiKey, API_TOKEN: apiToken, RETELL_ALLOWED_IPS: "127.0.0.1, ::1" });
  });
  afterAll(() => server?.stop());

  const send = async (event: unknown, key = apiKey) => {
    const response = await fetch(await createSignedRetellRequest(event, { apiKey: key, url: `${server.url}${RETELL}` }));
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const callOf = async (id: string) => {
    const response = await fetch(`${server.url}/api/v1/calls/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    return response.status === 404 ? null : response.json();
  };

  it.skipIf(skip)("processes an event once, however often Retell delivers it", async () => {
    const ended = retellSample("call_ended", { callId: "call_once" });
    expect(await send(ended)).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await send(ended)).toMatchObject({ status: 200, body: { status: "duplicate" } });
    // A later event's log line flushes the pipe: had the retry run the handler, its line would be before it.
    await send(retellSample("call_ended", { callId: "call_marker" }));
    await server.waitFor(/retell call_ended call_marker/);
    expect(server.output().match(/retell call_ended call_once /g)).toHaveLength(1);
  });

  it.skipIf(skip)("merges a call into the same record whatever order its events arrive in", async () => {
    for (const type of ["call_started", "call_ended", "call_analyzed"] as const)
      await send(retellSample(type, { callId: "call_in_order" }));
    const backwards = (["call_analyzed", "call_ended", "call_analyzed", "call_started"] as const).map((type) =>
      retellSample(type, { callId: "call_backwards" }),
    );
    expect((await Promise.all(backwards.map((event) => send(event)))).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const inOrder = await callOf("call_in_order");
    expect(inOrder).toMatchObject({ status: "ended", durationMs: 95_000, disconnectionReason: "user_hangup", successful: true });
    expect(await callOf("call_backwards")).toEqual({ ...inOrder, id: "call_backwards" });
  });

  it.skipIf(skip)("refuses forged signatures, from the helpers and from the callhooks CLI, and stores nothing", async () => {
    expect(await send(retellSample("call_ended", { callId: "call_forged" }), "key_forger")).toMatchObject({
      status: 401,
      body: { error: "invalid_signature" },
    });
    const forged = await cli(
      ["send", "call_started", "--call-id", "call_forged", "--bad-signature", "--expect", "401", "--url", `${server.url}${RETELL}`],
      {
        RETELL_API_KEY: apiKey,
      },
    );
    expect(forged).toMatchObject({ code: 0, stdout: expect.stringContaining("401") });
    expect(await callOf("call_forged")).toBeNull();
  });

  it.skipIf(skip)("answers call_inbound (sent with the CLI), and a retry with the same answer", async () => {
    const sent = await cli(["send", "call_inbound", "--json", "--url", `${server.url}${RETELL}`], { RETELL_API_KEY: apiKey });
    expect(sent.code).toBe(0);
    const answered = JSON.parse(sent.stdout.trim().split("\n").at(-1) as string);
    expect(answered).toMatchObject({ event: "call_inbound", status: 200 });
    expect(JSON.parse(answered.body)).toEqual({ call_inbound: { dynamic_variables: { caller_number: "+14155550100" } } });
    const inbound = retellSample("call_inbound", { callId: "call_inbound_retry" });
    const expected = { status: 200, body: { call_inbound: { dynamic_variables: { caller_number: "+14155550100" } } } };
    expect(await send(inbound)).toEqual(expected);
    expect(await send(inbound)).toEqual(expected);
  });

  it.skipIf(skip)("serves the endpoint check, the health check and the docs", async () => {
    expect(await (await fetch(`${server.url}${RETELL}/test`)).json()).toMatchObject({
      status: "ok",
      webhook_url: `${server.url}${RETELL}`,
    });
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok" });
    const json = await (await fetch(`${server.url}/docs/openapi.json`)).json();
    expect(json).toMatchObject({ openapi: "3.1.0", servers: [{ url: server.url }] });
    expect(Object.keys(json.paths)).toEqual([RETELL]);
    const page = await fetch(`${server.url}/docs`);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await page.text()).toContain("RetellCallAnalyzedEvent");
    expect((await fetch(`${server.url}${RETELL}`)).status).toBe(405);
    expect((await fetch(`${server.url}/api/v1/calls/call_once`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it.skipIf(skip)("never prints a secret", () => {
    expect(server.output()).not.toContain(apiKey);
    expect(server.output()).not.toContain(apiToken);
  });

  it.skipIf(skip)("refuses to start without RETELL_API_KEY, saying what to set, with exit status 1", async () => {
    const { code, output } = await startFailure(runtime, { API_TOKEN: apiToken });
    expect(code).toBe(1);
    expect(output).toContain("RETELL_API_KEY is not set");
    expect(output).toContain('"webhook" badge');
    expect(output).not.toContain(apiToken);
  });
});

describe("hono-server behind one proxy (Node)", () => {
  it("builds the public URL from the nearest proxy's headers only when TRUST_PROXY says there is one", async () => {
    const node = runtimes[0] as (typeof runtimes)[number];
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "abc.trycloudflare.com" };
    for (const [trust, expected] of [
      ["1", "https://abc.trycloudflare.com"],
      ["0", "http://127.0.0.1"],
    ] as const) {
      const server = await startServer(node, { RETELL_API_KEY: apiKey, TRUST_PROXY: trust, RETELL_ALLOWED_IPS: "100.20.5.228" });
      try {
        expect((await (await fetch(`${server.url}${RETELL}/test`, { headers })).json()).webhook_url).toMatch(new RegExp(`^${expected}`));
        const deliver = async (xff: string) =>
          (
            await fetch(
              await createSignedRetellRequest(retellSample("call_started"), {
                apiKey,
                url: `${server.url}${RETELL}`,
                headers: { "x-forwarded-for": xff },
              }),
            )
          ).status;
        expect(await deliver("100.20.5.228")).toBe(trust === "1" ? 200 : 403);
        expect(await deliver("100.20.5.228, 203.0.113.9")).toBe(403);
      } finally {
        await server.stop();
      }
    }
  });
});
