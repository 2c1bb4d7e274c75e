// Hono with the adapter served by the runtime's own server (Bun.serve or Deno.serve), from dist/.
// allowedIps is set, so a 200 proves the adapter found the peer address without being told how.
import { honoHandler } from "@callhooks/adapter-hono";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { Hono } from "hono";

const { Bun, Deno } = globalThis;
const apiKey = Deno ? Deno.env.get("RETELL_API_KEY") : Bun.env.RETELL_API_KEY;
const retell = createRetellHandler({
  apiKey,
  storage: createMemoryStorage(),
  allowedIps: ["127.0.0.1"],
  logger: {},
  on: {
    call_ended: ({ call }) => {
      console.log(`handled ${call.call_id}`);
    },
  },
});
const app = new Hono().post("/webhooks/retell", honoHandler(retell));

if (Bun) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  console.log(`Listening on http://127.0.0.1:${server.port}/`);
} else {
  Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`Listening on http://127.0.0.1:${port}/`) }, app.fetch);
}
