// Bun: `bun src/bun.ts`, with Bun.serve. (Bun reads .env by itself.)
import { getConnInfo } from "hono/bun";
import { cannotStart, createApp, listening } from "./app.ts";
import { loadConfig } from "./config.ts";

/** The part of Bun's API used here, typed locally so the example needs no @types/bun. */
declare const Bun: {
  serve(options: { port: number; hostname?: string; fetch(request: Request, server: unknown): Response | Promise<Response> }): {
    port: number;
  };
};

try {
  const config = loadConfig(process.env);
  const app = createApp(config, { getConnInfo });
  const server = Bun.serve({ port: config.port, ...(config.host && { hostname: config.host }), fetch: app.fetch });
  console.log(listening("Bun", server.port));
} catch (error) {
  console.error(cannotStart(error));
  process.exit(1);
}
