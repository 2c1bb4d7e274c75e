import { createMightyCallNativeRequest, createSignedRetellRequest, mightyCallSample, retellSample } from "@callhooks/webhook-core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { stack, storageFor } from "./helpers.js";
import type { ServerConfig } from "./processes/server.js";
import { type ServerProcess, startServerProcess, starts } from "./processes/start.js";
const RETELL_KEY = "key_exactly_once";
const ACCOUNTS = [
  { apiKey: "mc-key-acme-0001", orgId: "acme" },
  { apiKey: "mc-key-globex-0002", orgId: "globex" },
];

type Server = ServerProcess;

const running: Server[] = [];
afterEach(() => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) server.child.kill("SIGKILL");
});

async function startServer(config: Partial<ServerConfig>): Promise<Server> {
  const info = stack!;
  const server = await startServerProcess({
    supabaseUrl: info.supabaseUrl,
    serviceRoleKey: info.serviceRoleKey,
    retellApiKey: RETELL_KEY,
    mightyCallAccounts: ACCOUNTS,
    leaseMs: 30_000,
    maxAttempts: 5,
    handlerMs: 10,
    worker: false,
    ...config,
  });
  running.push(server);
  return server;
}

/** Posts a (freshly signed) delivery; a server that is gone answers nothing. */
async function deliver(request: () => Promise<Request> | Request): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const response = await fetch(await request());
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!stack)("exactly once, across OS processes, over real HTTP and the real Supabase stack", () => {
  it("runs handlers that take 3× their lease exactly once, while retries and workers in two processes race for them", async () => {
    // A lease comfortably above this machine's round trips under the test's own load (a claim can
    // take half a second here), and a handler three times as long.
    const leaseMs = 1_500;
    const config = { leaseMs, handlerMs: 3 * leaseMs, worker: true };
    const servers = [await startServer(config), await startServer(config)];
    const run = Date.now().toString(36);
    const callIds = Array.from({ length: 8 }, (_, i) => `call_slow_${run}_${i}`);
    const retell = (server: Server, callId: string) => () =>
      createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey: RETELL_KEY, url: `${server.url}/retell` });

    // Like Retell delivering twice at once (one to each process), each copy retried until answered 2xx.
    const answers = await Promise.all(
      callIds.flatMap((callId) =>
        servers.map(async (server) => {
          const seen: number[] = [];
          for (let attempt = 0; attempt < 60; attempt++) {
            const answer = await deliver(retell(server, callId));
            seen.push(answer?.status ?? 0);
            if (answer && answer.status < 300) return seen;
            await sleep(300);
          }
          return seen;
        }),
      ),
    );
    expect(answers.every((seen) => (seen.at(-1) ?? 0) < 300)).toBe(true);
    // Deliveries did meet the runs in flight (and were told to retry).
    expect(answers.flat()).toContain(409);

    await sleep(2 * leaseMs); // let any takeover that a missing renewal would allow happen
    const runs = starts(servers);
    for (const callId of callIds)
      expect(
        runs.filter((r) => r.key === `call_ended:${callId}`),
        callId,
      ).toHaveLength(1);
    const storage = storageFor(stack!);
    for (const callId of callIds) {
      const [event] = await storage.listEvents({ provider: "retell", callId });
      expect(event, callId).toMatchObject({ status: "processed", attempts: 1 });
    }
  });

  it("ends an event whose processor is SIGKILLed on every try dead after maxAttempts, and never runs it again", async () => {
    const leaseMs = 300;
    const config = { leaseMs, maxAttempts: 3, handlerMs: 60_000 };
    const callId = `call_killed_${Date.now().toString(36)}`;
    const request = (server: Server) => () =>
      createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey: RETELL_KEY, url: `${server.url}/retell` });
    const killed: Server[] = [];
    let final: { status: number; body: Record<string, unknown> } | undefined;
    for (let round = 0; round < 6 && !final; round++) {
      const server = await startServer(config);
      // Retell's retries: until this process runs it (then it is killed mid-handler) or answers.
      for (let attempt = 0; attempt < 40; attempt++) {
        const answering = deliver(request(server));
        const outcome = await Promise.race([answering, sleep(250).then(() => "pending" as const)]);
        if (starts([server]).length > 0) break;
        if (outcome !== "pending" && outcome && outcome.status !== 409) {
          final = outcome;
          break;
        }
        await sleep(100);
      }
      if (final) break;
      server.child.kill("SIGKILL");
      killed.push(server);
    }
    const runs = starts(killed);
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(final).toEqual({ status: 500, body: { error: "event_dead", details: expect.stringContaining("maxAttempts") } });
    const [event] = await storageFor(stack!).listEvents({ provider: "retell", callId });
    expect(event).toMatchObject({ status: "dead", attempts: 3 });
    expect(event?.lastError).toMatch(/stopped renewing its lease/);
  });

  it("processes two tenants' events with the same MightyCall Guid once each, for their own tenant, in their own records", async () => {
    const servers = [await startServer({}), await startServer({})];
    const callId = `mc_shared_${Date.now().toString(36)}`;
    const event = mightyCallSample("IncomingCall", { callId, guid: `guid-${callId}` });
    const answers = await Promise.all(
      ACCOUNTS.flatMap((account) =>
        servers.flatMap((server) =>
          Array.from({ length: 3 }, () =>
            deliver(() => createMightyCallNativeRequest(event, { apiKey: account.apiKey, url: `${server.url}/mightycall` })),
          ),
        ),
      ),
    );
    // Each delivery was answered: processed, a duplicate, or in flight (then the retry below).
    expect(answers.every((a) => a && [200, 409].includes(a.status))).toBe(true);
    for (const account of ACCOUNTS) {
      for (let i = 0; i < 20; i++) {
        const retry = await deliver(() =>
          createMightyCallNativeRequest(event, { apiKey: account.apiKey, url: `${servers[0]?.url}/mightycall` }),
        );
        if (retry?.status === 200) break;
        await sleep(100);
      }
    }
    const runs = starts(servers);
    expect(runs.map((r) => r.orgId).sort()).toEqual(["acme", "globex"]);
    expect(new Set(runs.map((r) => r.key))).toEqual(new Set([`IncomingCall:guid-${callId}`]));
    const storage = storageFor(stack!);
    for (const { orgId } of ACCOUNTS) {
      const call = await storage.getCall("mightycall", callId, orgId);
      expect(call, orgId).toMatchObject({ orgId, eventTypes: ["IncomingCall"] });
      expect(await storage.listEvents({ provider: "mightycall", callId, orgId }), orgId).toEqual([
        expect.objectContaining({ status: "processed", attempts: 1 }),
      ]);
    }
  });
});
