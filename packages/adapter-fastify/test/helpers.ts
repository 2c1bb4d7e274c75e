import { readdirSync, readFileSync } from "node:fs";
import type { ServedAdapter } from "@callhooks/webhook-core/testing";
import type { FastifyInstance } from "fastify";

export const prefix = "/webhooks/retell";

/** Starts `app` on a real socket at 127.0.0.1, on a free port. */
export async function listen(app: FastifyInstance): Promise<ServedAdapter> {
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `${address}${prefix}`, close: () => app.close() };
}

const fixtures = new URL("../../../../shared/fixtures/retell/", import.meta.url);

/** The recorded Retell deliveries (not the sample answers), as exact bytes. */
export function retellFixtures(): Record<string, Uint8Array> {
  const files = readdirSync(fixtures).filter((file) => !file.includes(".response"));
  return Object.fromEntries(files.map((file) => [file, readFileSync(new URL(file, fixtures))]));
}
