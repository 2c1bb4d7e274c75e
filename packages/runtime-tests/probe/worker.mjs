// A Cloudflare Worker (module syntax), bundled by the test with esbuild as wrangler would, from the
// packages' dist/. /probe runs the shared round trip; /hono/* is the Hono adapter reading its secret
// from the Worker's bindings through env(c).
import { honoHandler } from "@callhooks/adapter-hono";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { Hono } from "hono";
import { env } from "hono/adapter";
import { probe } from "./probe.mjs";

let built = 0;
const seen = [];

const app = new Hono();
app.post("/probe", async (c) => c.json(await probe(await c.req.json())));
app.post(
  "/hono/retell",
  honoHandler((c) => {
    built += 1;
    return createRetellHandler({
      apiKey: env(c).RETELL_API_KEY,
      storage: createMemoryStorage(),
      logger: {},
      on: {
        call_ended: ({ call }) => {
          seen.push(call.call_id);
        },
      },
    });
  }),
);
app.get("/hono/state", (c) => c.json({ built, seen }));

export default app;
