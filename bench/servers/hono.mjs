// Hono on @hono/node-server. pipeline: @callhooks/adapter-hono as its README mounts it on Node;
// handwritten: c.req.arrayBuffer() + verify + JSON.parse + zod; noop: 204.
import { honoHandler } from "@callhooks/adapter-hono";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import { JSON_TYPE, ready, receiveByHand, retell, variant } from "./common.mjs";

const app = new Hono();
if (variant === "pipeline" || variant === "nostorage") app.post("/", honoHandler(retell, { getConnInfo }));
if (variant === "handwritten") {
  app.post("/", async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    const result = receiveByHand(body, c.req.header("x-retell-signature"));
    return c.body(result.body, result.status, { "content-type": JSON_TYPE });
  });
}
if (variant === "noop") app.post("/", (c) => c.body(null, 204));

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => ready(info.port));
server.keepAliveTimeout = 60_000;
