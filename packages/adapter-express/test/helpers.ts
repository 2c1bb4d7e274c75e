import { readdirSync, readFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServedAdapter } from "@callhooks/webhook-core/testing";
import express5 from "express";
import express4 from "express4";

export const expressVersions = [
  { name: "express 5", express: express5 },
  { name: "express 4", express: express4 as unknown as typeof express5 },
] as const;

export const path = "/webhooks/retell";
export const quiet = { error: () => {} };

/** Serves `app` on a real socket at 127.0.0.1, on a free port. */
export function listen(app: RequestListener): Promise<ServedAdapter> {
  const server = createServer(app);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}${path}`,
        close: () => {
          server.closeAllConnections();
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
