import { readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ServedAdapter } from "@callhooks/webhook-core/testing";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export const path = "/webhooks/retell";

/** Serves a Hono app with @hono/node-server on a real socket at 127.0.0.1, on a free port. */
export function listen(app: Hono): Promise<ServedAdapter> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}${path}`,
        close: () => {
          if ("closeAllConnections" in server) server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

const fixtures = new URL("../../../../shared/fixtures/retell/", import.meta.url);

/** The recorded Retell deliveries (not the sample answers), as exact bytes. */
export function retellFixtures(): Record<string, Uint8Array> {
  const files = readdirSync(fixtures).filter((file) => !file.includes(".response"));
  return Object.fromEntries(files.map((file) => [file, readFileSync(new URL(file, fixtures))]));
}
