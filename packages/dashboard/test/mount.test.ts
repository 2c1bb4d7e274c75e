import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/samples";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSRF_HEADER, type Dashboard, createDashboard } from "../src/index.js";
import { nodeHandler } from "../src/node.js";
import { USER, basicHeader } from "./harness.js";

/*
 * The mounting lines the README gives, each in a real server of its framework: the inbox under the
 * mount path, the redirect to the trailing slash, assets, and a Replay POST going through.
 */
const storage = createMemoryStorage();
const retell = createRetellHandler({ apiKey: "key_mount_test", storage, logger: {}, on: {} });
const BASE = "/ops/callhooks";
let eventId: string;

beforeAll(async () => {
  const claimed = await storage.claim({
    event: {
      provider: "retell",
      key: "k1",
      type: "call_ended",
      callId: "call_mount",
      orgId: null,
      payload: retellSample("call_ended", { callId: "call_mount" }),
      receivedAt: Date.now(),
    },
    records: [],
    mode: "complete",
    leaseMs: 1000,
    now: Date.now(),
  });
  eventId = claimed.event.id;
});

const make = (): Dashboard => createDashboard({ storage, handlers: retell, auth: USER, basePath: BASE });

async function exercise(origin: string) {
  const auth = { authorization: basicHeader() };
  const inbox = await fetch(`${origin}${BASE}/`, { headers: auth });
  expect(inbox.status).toBe(200);
  expect(await inbox.text()).toContain("call_mount");
  const bare = await fetch(`${origin}${BASE}`, { headers: auth, redirect: "manual" });
  expect([bare.status, bare.headers.get("location")]).toEqual([308, "./callhooks/"]);
  const css = await fetch(`${origin}${BASE}/assets/dashboard.css`, { headers: auth });
  expect([css.status, css.headers.get("content-type")]).toEqual([200, "text/css; charset=utf-8"]);
  expect((await fetch(`${origin}${BASE}/`)).status).toBe(401);
  const replay = await fetch(`${origin}${BASE}/api/events/${eventId}/replay`, {
    method: "POST",
    headers: { ...auth, [CSRF_HEADER]: "1", origin },
  });
  expect([replay.status, ((await replay.json()) as { outcome: string }).outcome]).toEqual([200, "processed"]);
}

const originOf = (address: AddressInfo | string | null) => `http://127.0.0.1:${(address as AddressInfo).port}`;

describe("mounted", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(() => Promise.all(closers.map((close) => close())));

  it("in Express: app.use(basePath, nodeHandler(dashboard)), after an app-wide body parser", async () => {
    const app = express();
    app.use(express.json());
    app.use(BASE, nodeHandler(make()));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await exercise(originOf(server.address()));
  });

  it("in Fastify: one route for the path and one for what is below it, each handing over to nodeHandler", async () => {
    const app = Fastify();
    const handler = nodeHandler(make());
    app.all(BASE, (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    app.all(`${BASE}/*`, (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    await exercise(originOf(app.server.address()));
  });

  it("in Hono: app.all on the path and below, with dashboard.fetch", async () => {
    const dashboard = make();
    const app = new Hono();
    app.all(BASE, (c) => dashboard.fetch(c.req.raw));
    app.all(`${BASE}/*`, (c) => dashboard.fetch(c.req.raw));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await exercise(originOf(server.address()));
  });

  it("on node:http as it is", async () => {
    const server = createServer(nodeHandler(make()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await exercise(originOf(server.address()));
  });
});
