import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import type { SupabaseStackInfo } from "@callhooks/storage-supabase/testing";
import { createRetellHandler, type HandlerContext, replayEvents } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { stack } from "./helpers.ts";

const SCHEMA = "workers"; // its own tables: these workers claim every due event they see
const EVENTS = 200;
const API_KEY = "key_two_workers_0123456789";
const packageDir = fileURLToPath(new URL("../", import.meta.url));
const workerScript = fileURLToPath(new URL("./processes/worker.ts", import.meta.url));

interface Worker {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startWorkerProcess(info: SupabaseStackInfo, onLine: () => void): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript], {
    cwd: packageDir,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: `${packageDir}tsconfig.json`, // @callhooks/* from source, as in the other tests
      SUPABASE_URL: info.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: info.serviceRoleKey,
      CALLHOOKS_SCHEMA: SCHEMA,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    onLine();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exited };
}

describe.skipIf(!stack)("workers and replay over storage-supabase", () => {
  it(`process ${EVENTS} queued events, each exactly once, between them`, async () => {
    const info = stack as SupabaseStackInfo;
    const client = createClient(info.supabaseUrl, info.serviceRoleKey, { auth: { persistSession: false } });
    const storage = createSupabaseStorage({ client, schema: SCHEMA });
    // Queue mode records events that have a handler as pending (and answers 202); workers run them.
    const receiver = createRetellHandler({
      apiKey: API_KEY,
      storage,
      mode: "queue",
      logger: {},
      on: { call_started: () => Promise.reject(new Error("a receiver in queue mode never runs handlers")) },
    });

    let check = () => {};
    const workers = [0, 1].map(() => startWorkerProcess(info, () => check()));
    const until = (condition: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        check = () => condition() && resolve();
        check();
        for (const worker of workers) worker.exited.then((code) => reject(new Error(`a worker exited early (${code})`)));
      });
    const ran = () => workers.flatMap((w) => w.lines.filter((line) => line.startsWith("ran ")));
    try {
      await until(() => workers.every((w) => w.lines.includes("ready")));
      // Queued while both workers poll, as a receiver in queue mode would.
      const ids: string[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const event = retellSample("call_started", { callId: `call_two_workers_${String(i).padStart(3, "0")}` });
        const response = await receiver.fetch(await createSignedRetellRequest(event, { apiKey: API_KEY }));
        expect(response.status).toBe(202);
        ids.push(((await response.json()) as { event_id: string }).event_id);
      }
      await until(() => ran().length >= EVENTS);
      for (const worker of workers) worker.child.kill("SIGTERM"); // graceful: finish in flight, then exit
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

      const runs = ran().map((line) => line.split(" ")[1]);
      expect(runs).toHaveLength(EVENTS);
      expect(new Set(runs)).toEqual(new Set(ids));
      expect(ran().every((line) => line.endsWith(" 1"))).toBe(true); // first attempt each: no lease was ever lost
      const stats = workers.map((w) => JSON.parse(w.lines.find((l) => l.startsWith("stats "))!.slice(6)));
      expect(stats.map((s) => s.processed).reduce((a, b) => a + b)).toBe(EVENTS);
      expect(stats.every((s) => s.processed > 0 && s.errors === 0 && s.inFlight === 0)).toBe(true);
      expect(await storage.countEvents()).toMatchObject({ processed: EVENTS, pending: 0, processing: 0, failed: 0, dead: 0 });
    } finally {
      for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    }
  });

  it("replayEvents runs a dead event again with its handler, and leaves one under a live lease alone", async () => {
    const info = stack as SupabaseStackInfo;
    const storage = createSupabaseStorage({
      client: createClient(info.supabaseUrl, info.serviceRoleKey, { auth: { persistSession: false } }),
      schema: SCHEMA,
    });
    let healthy = false;
    const contexts: HandlerContext[] = [];
    const handler = createRetellHandler({
      apiKey: API_KEY,
      storage,
      logger: {},
      retry: { maxAttempts: 1 },
      on: {
        call_ended: async (_event, context) => {
          if (!healthy) throw new Error("CRM down");
          contexts.push(context);
        },
      },
    });
    const callId = `call_replay_${Date.now().toString(36)}`;
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey: API_KEY }));
    expect(response.status).toBe(500);
    const [dead] = await storage.listEvents({ callId });
    expect(dead).toMatchObject({ status: "dead", attempts: 1 });
    const leased = await storage.claim({
      event: { provider: "retell", key: `held_${callId}`, type: "call_ended", callId, orgId: null, payload: {}, receivedAt: Date.now() },
      records: [],
      mode: "lease",
      leaseMs: 60_000,
      now: Date.now(),
    });

    healthy = true;
    const result = await replayEvents({ storage, handlers: handler, ids: [dead!.id, leased.event.id] });
    expect(result.events.map((e) => [e.id, e.outcome])).toEqual([
      [dead!.id, "processed"],
      [leased.event.id, "taken"],
    ]);
    expect(contexts.map((c) => [c.eventId, c.attempt, c.replay])).toEqual([[dead!.id, 2, true]]);
    expect(await storage.getEvent(dead!.id)).toMatchObject({ status: "processed", attempts: 2, lastError: null });
    expect(await storage.getEvent(leased.event.id)).toMatchObject({ status: "processing", attempts: 1 });
  });
});
