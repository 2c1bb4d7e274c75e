import { honoHandler } from "@callhooks/adapter-hono";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample, type ServedAdapter } from "@callhooks/webhook-core/testing";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import { env } from "hono/adapter";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { listen, path } from "./helpers.js";

const apiKey = "key_hono_tests_0123456789";
let served: ServedAdapter | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const signed = (url = `http://localhost${path}`, callId = "call_hono") =>
  createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey, url });

describe("honoHandler", () => {
  it("builds the handler from the context once, not per request", async () => {
    let built = 0;
    type Bindings = { RETELL_API_KEY: string };
    const app = new Hono<{ Bindings: Bindings }>().post(
      path,
      honoHandler((c) => {
        built += 1;
        return createRetellHandler({
          apiKey: env<Partial<Bindings>>(c).RETELL_API_KEY ?? apiKey,
          storage: createMemoryStorage(),
          logger: {},
        });
      }),
    );
    const statuses = [];
    for (const id of ["a", "b", "c"]) statuses.push((await app.request(await signed(undefined, id))).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(built).toBe(1);
  });

  it("gives a factory's context the app's Env when given the app, so env(c) is typed", async () => {
    type AppEnv = { Bindings: { RETELL_API_KEY: string }; Variables: { tenant: string } };
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set("tenant", "t1");
      await next();
    });
    const tenants: string[] = [];
    app.post(
      path,
      honoHandler(
        (c) => {
          expectTypeOf(env(c).RETELL_API_KEY).toEqualTypeOf<string>();
          expectTypeOf(c.get("tenant")).toEqualTypeOf<string>();
          tenants.push(c.get("tenant"));
          return createRetellHandler({ apiKey, storage: false, logger: {} });
        },
        { app },
      ),
    );
    expect((await app.request(await signed())).status).toBe(200);
    expect(tenants).toEqual(["t1"]);
  });

  it("hands deferred work to c.executionCtx.waitUntil", async () => {
    const seen: string[] = [];
    const handler = createRetellHandler({
      apiKey,
      mode: "deferred",
      storage: createMemoryStorage(),
      on: { call_ended: ({ call }) => void seen.push(call.call_id) },
    });
    const pending: Promise<unknown>[] = [];
    const executionCtx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} };
    const response = await new Hono().post(path, honoHandler(handler)).fetch(await signed(), {}, executionCtx);
    expect(response.status).toBe(202);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(seen).toEqual(["call_hono"]);
  });

  it("takes the peer address from the getConnInfo it is given", async () => {
    const handler = createRetellHandler({ apiKey, allowedIps: ["127.0.0.1"], logger: {} });
    served = await listen(new Hono().post(path, honoHandler(handler, { getConnInfo })));
    expect((await fetch(await signed(served.url))).status).toBe(200);
    const elsewhere = () => ({ remote: { address: "192.0.2.7", addressType: "IPv4" as const } });
    const app = new Hono().post(path, honoHandler(handler, { getConnInfo: elsewhere }));
    expect((await app.request(await signed())).status).toBe(403);
  });

  it("recovers bytes a middleware read with c.req.arrayBuffer()", async () => {
    const app = new Hono()
      .use(async (c, next) => {
        await c.req.arrayBuffer();
        await next();
      })
      .post(path, honoHandler(createRetellHandler({ apiKey, logger: {} })));
    expect((await app.request(await signed())).status).toBe(200);
  });

  it("logs the explanation once when the body is gone", async () => {
    const logged: string[] = [];
    const app = new Hono()
      .use(async (c, next) => {
        await c.req.raw.text();
        await next();
      })
      .post(path, honoHandler(createRetellHandler({ apiKey, logger: {} }), { logger: { error: (m) => logged.push(m) } }));
    const statuses = [(await app.request(await signed())).status, (await app.request(await signed())).status];
    expect(statuses).toEqual([500, 500]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("c.req.text()");
  });
});
