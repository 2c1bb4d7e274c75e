// Node: `node src/node.ts` (Node 22.18+ runs the TypeScript as is), with @hono/node-server.
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { cannotStart, createApp, listening } from "./app.ts";
import { loadConfig } from "./config.ts";

try {
  const config = loadConfig(process.env);
  const app = createApp(config, { getConnInfo });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => console.log(listening("Node", info.port)));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => server.close(() => process.exit(0)));
} catch (error) {
  console.error(cannotStart(error));
  process.exit(1);
}
