import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expressHandler } from "@callhooks/adapter-express";
import { type WebhookStorage, createMightyCallHandler, createRetellHandler } from "@callhooks/webhook-core";
import { createMightyCallNativeRequest, createSignedRetellRequest, mightyCallSample, retellSample } from "@callhooks/webhook-core/samples";
import express from "express";
import { createDashboard } from "../src/index.js";
import { nodeHandler } from "../src/node.js";
import type { DashboardOptions } from "../src/types.js";

export const RETELL_KEY = "key_dashboard_test_0123456789";
export const MIGHTYCALL_API_KEY = "7d0c2e14-5a9b-4f3e-8d61-a2b4c6e8f0aa";
export const USER = { username: "ops", password: "correct horse battery staple" };
export const BASE = "/admin/callhooks";
export const XSS = `<img src=x onerror=alert(1)></script><script>alert(2)</script>`;

export interface Harness {
  origin: string;
  /** The console's URL (with the trailing slash). */
  url: string;
  storage: WebhookStorage;
  /** Call ids whose call_ended handler throws until removed. */
  failing: Set<string>;
  retell(event: unknown): Promise<Response>;
  mightyCall(event: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real app, as a user would write one: Express with the Retell and MightyCall receivers and the
 * console mounted behind Basic auth, listening on a real port; deliveries are signed requests over HTTP.
 */
export async function startHarness(storage: WebhookStorage, dashboard: Partial<DashboardOptions> = {}): Promise<Harness> {
  const failing = new Set<string>();
  const retell = createRetellHandler({
    apiKey: RETELL_KEY,
    storage,
    logger: {},
    on: {
      call_ended: async ({ call }) => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        if (failing.has(call.call_id)) throw new Error(`CRM unreachable while saving ${call.call_id}: connect ETIMEDOUT`);
      },
      call_analyzed: () => undefined,
    },
  });
  const mightyCall = createMightyCallHandler({
    native: { apiKey: MIGHTYCALL_API_KEY, orgFromUrl: () => "org_acme" },
    storage,
    logger: {},
    on: {},
  });
  const app = express();
  app.post("/webhooks/retell", expressHandler(retell));
  app.post("/webhooks/mightycall", expressHandler(mightyCall));
  app.use(
    BASE,
    nodeHandler(
      createDashboard({
        storage,
        handlers: [retell, mightyCall],
        auth: USER,
        basePath: BASE,
        pollMs: 500,
        onError: () => undefined,
        ...dashboard,
      }),
    ),
  );
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}${BASE}/`,
    storage,
    failing,
    retell: async (event) => fetch(await createSignedRetellRequest(event, { apiKey: RETELL_KEY, url: `${origin}/webhooks/retell` })),
    mightyCall: (event) =>
      fetch(createMightyCallNativeRequest(event, { apiKey: MIGHTYCALL_API_KEY, url: `${origin}/webhooks/mightycall` })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const basicHeader = (user = USER) => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;

/** A Retell call_ended whose transcript carries markup and a script end tag. */
export function xssEvent(callId: string) {
  const event = retellSample("call_ended", { callId });
  return { ...event, call: { ...event.call, transcript: `Agent: Hello.\nUser: ${XSS}` } };
}

export { mightyCallSample, retellSample };
