// Deno: `deno run --node-modules-dir=manual --allow-net --allow-env --allow-read src/deno.ts`, with Deno.serve.
import process from "node:process";
import { getConnInfo } from "hono/deno";
import { cannotStart, createApp, listening } from "./app.ts";
import { loadConfig } from "./config.ts";

/** The part of Deno's API used here, typed locally so the example type-checks with tsc alone. */
declare const Deno: {
  serve(
    options: { port: number; hostname?: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): unknown;
};

try {
  const config = loadConfig(process.env);
  const app = createApp(config, { getConnInfo });
  Deno.serve(
    { port: config.port, ...(config.host && { hostname: config.host }), onListen: ({ port }) => console.log(listening("Deno", port)) },
    app.fetch,
  );
} catch (error) {
  console.error(cannotStart(error));
  process.exit(1);
}
