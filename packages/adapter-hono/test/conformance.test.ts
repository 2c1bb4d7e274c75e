import { honoHandler } from "@callhooks/adapter-hono";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { describeAdapterConformance } from "@callhooks/webhook-core/testing";
import { Hono, type MiddlewareHandler } from "hono";
import { listen, path, retellFixtures } from "./helpers.js";

// A logging or validation middleware that parses the body before the webhook route.
const readsJson: MiddlewareHandler = async (c, next) => {
  await c.req.json();
  await next();
};
// One that bypasses Hono's body cache.
const consumesRaw: MiddlewareHandler = async (c, next) => {
  await c.req.raw.arrayBuffer();
  await next();
};

describeAdapterConformance("hono on @hono/node-server", {
  serve: (handler) => listen(new Hono().all(path, honoHandler(handler))),
  createStorage: () => createMemoryStorage(),
  fixtures: retellFixtures(),
  parserFirst: [
    {
      name: "a middleware read c.req.json() first",
      outcome: "recovers",
      serve: (h) => listen(new Hono().use(readsJson).all(path, honoHandler(h))),
    },
    {
      name: "a middleware consumed c.req.raw first",
      outcome: "explains",
      serve: (h) => listen(new Hono().use(consumesRaw).all(path, honoHandler(h, { logger: { error: () => {} } }))),
    },
  ],
});
