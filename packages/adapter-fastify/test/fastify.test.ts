import { request } from "node:http";
import { fastifyHandler } from "@callhooks/adapter-fastify";
import { createRetellHandler } from "@callhooks/webhook-core";
import { retellSample, signedRetellHeaders, type ServedAdapter } from "@callhooks/webhook-core/testing";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { listen, prefix } from "./helpers.js";

const apiKey = "key_fastify_tests_0123456789";
let served: ServedAdapter | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

function retell(seen: string[] = [], maxBodyBytes?: number) {
  return createRetellHandler({ apiKey, logger: {}, maxBodyBytes, on: { call_ended: ({ call }) => void seen.push(call.call_id) } });
}

const body = JSON.stringify(retellSample("call_ended", { callId: "call_fastify" }));

describe("fastifyHandler", () => {
  it("leaves JSON parsing on for the rest of the app, before and after the plugin", async () => {
    const app = Fastify()
      .post("/before", async (request) => ({ got: request.body }))
      .register(fastifyHandler(retell()), { prefix })
      .post("/after", async (request) => ({ got: request.body }));
    served = await listen(app);
    for (const route of ["/before", "/after"]) {
      const res = await fetch(new URL(route, served.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"a":1}',
      });
      expect(await res.json()).toEqual({ got: { a: 1 } });
    }
    expect((await fetch(served.url, { method: "POST", headers: await signedRetellHeaders(body, { apiKey }), body })).status).toBe(200);
  });

  it("serves the route given as path, without a prefix", async () => {
    const seen: string[] = [];
    const app = Fastify().register(fastifyHandler(retell(seen), { path: "/hooks/retell" }));
    const url = `${await app.listen({ port: 0, host: "127.0.0.1" })}/hooks/retell`;
    served = { url, close: () => app.close() };
    expect((await fetch(url, { method: "POST", headers: await signedRetellHeaders(body, { apiKey }), body })).status).toBe(200);
    expect(seen).toEqual(["call_fastify"]);
  });

  it("verifies a delivery that carries no content type", async () => {
    const seen: string[] = [];
    served = await listen(Fastify().register(fastifyHandler(retell(seen)), { prefix }));
    const { "content-type": _, ...headers } = await signedRetellHeaders(body, { apiKey });
    const res = await fetch(served.url, { method: "POST", headers, body: new TextEncoder().encode(body) });
    expect(res.status).toBe(200);
    expect(seen).toEqual(["call_fastify"]);
  });

  it("refuses a declared oversized body in the core's error shape and closes the connection", async () => {
    served = await listen(Fastify().register(fastifyHandler(retell([], 1024)), { prefix }));
    const res = await fetch(served.url, { method: "POST", headers: await signedRetellHeaders(body, { apiKey }), body: body.repeat(4) });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ error: "payload_too_large", details: expect.stringContaining("1024 bytes") });
  });

  it("closes a connection whose body takes longer than bodyTimeoutMs, and keeps serving others", async () => {
    const seen: string[] = [];
    served = await listen(Fastify().register(fastifyHandler(retell(seen), { bodyTimeoutMs: 300 }), { prefix }));
    const started = Date.now();
    // A body that never finishes arriving: one byte, then nothing.
    const ended = await new Promise<string>((resolve) => {
      const req = request(served?.url as string, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "5000" },
      });
      req.on("response", (res) => resolve(`answered ${res.statusCode}`));
      req.on("error", () => resolve("closed"));
      req.write("{");
    });
    expect(ended).toBe("closed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await fetch(served.url, { method: "POST", headers: await signedRetellHeaders(body, { apiKey }), body })).status).toBe(200);
    expect(seen).toEqual(["call_fastify"]);
  });

  it("refuses a bodyTimeoutMs that is not a positive number", () => {
    expect(() => fastifyHandler(retell(), { bodyTimeoutMs: 0 })).toThrow(RangeError);
  });
});
