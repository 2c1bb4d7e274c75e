import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseStorage, type SupabaseStorage } from "../src/index.js";
import { findServerBin } from "../src/testing/postgres.js";
import { migrationsDir, type SupabaseStack, startSupabaseStack } from "../src/testing/index.js";
import { serviceClient } from "./helpers.js";
import type { ServerConfig } from "./processes/server.js";
import { type ServerProcess, startServerProcess, starts } from "./processes/start.js";

/*
 * The scheduled sweep, on the real local stack: pg_cron (Debian's postgresql-15-cron, preloaded in a
 * throwaway cluster of this test's own) runs the migration's job, which POSTs to a worker endpoint
 * served by a receiver process over real HTTP. pg_net is not packaged for Debian: its `net.http_post`
 * is stood in for by a function of the same signature that posts with curl from the database server
 * (COPY … TO PROGRAM), so the job, its SQL and the endpoint are the real ones.
 */
const bin = findServerBin();
const pgCron = bin !== null && existsSync(join(dirname(bin), "lib", "pg_cron.so"));
const RETELL_KEY = "key_sweep_test";
const WORKER_SECRET = "sweep-secret-0123456789abcdef";

/** pg_net's `net.http_post`, done synchronously with curl (test clusters only: it needs a superuser). */
const NET_STANDIN = `
create schema if not exists net;
create or replace function net.http_post(url text, body jsonb default '{}', params jsonb default '{}',
  headers jsonb default '{}', timeout_milliseconds integer default 5000)
returns bigint language plpgsql as $$
declare
  v_command text := format('curl -s -o /dev/null -m %s -X POST --data %s', greatest(1, timeout_milliseconds / 1000), quote_literal(body::text));
  v_header record;
begin
  for v_header in select key, value from jsonb_each_text(headers) loop
    v_command := v_command || ' -H ' || quote_literal(v_header.key || ': ' || v_header.value);
  end loop;
  execute format('copy (select 1) to program %L', v_command || ' ' || quote_literal(url));
  return 1;
end $$;`;

type Server = ServerProcess;

describe.skipIf(!pgCron && process.env.CI !== "true")("the scheduled sweep (pg_cron → worker endpoint), where no worker runs", () => {
  let stack: SupabaseStack;
  let storage: SupabaseStorage;
  const servers: Server[] = [];

  async function startServer(config: Partial<ServerConfig>): Promise<Server> {
    const server = await startServerProcess({
      supabaseUrl: stack.supabaseUrl,
      serviceRoleKey: stack.serviceRoleKey,
      retellApiKey: RETELL_KEY,
      mightyCallAccounts: [{ apiKey: "unused-key-0000", orgId: "unused" }],
      leaseMs: 1_000,
      maxAttempts: 5,
      handlerMs: 20,
      worker: false,
      ...config,
    });
    servers.push(server);
    return server;
  }

  const deliver = async (server: Server, callId: string) => {
    const response = await fetch(
      await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey: RETELL_KEY, url: `${server.url}/retell` }),
    );
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    if (!pgCron) throw new Error("pg_cron is not installed: apt-get install postgresql-15-cron (.ci/run does)");
    stack = await startSupabaseStack({ databaseUrl: null });
    const database = new URL(stack.databaseUrl).pathname.slice(1);
    // pg_cron's own settings exist once it is loaded: preload it, restart, then point it at this database.
    for (const settings of [
      ["shared_preload_libraries = 'pg_cron'"],
      [`cron.database_name = '${database}'`, "cron.use_background_workers = on"],
    ]) {
      for (const setting of settings) await stack.sql(`alter system set ${setting}`);
      await stack.stopDatabase();
      await stack.startDatabase();
    }
    await stack.sql("create extension if not exists pg_cron");
    await stack.sql(NET_STANDIN);
    await stack.sql(readFileSync(join(migrationsDir, "sweep", "20261201000100_callhooks_sweep.sql"), "utf8"));
    storage = createSupabaseStorage({ client: serviceClient(stack.info) });
    // PostgREST reconnects on its own after the restart; wait until the API answers again.
    for (let i = 0; i < 50; i++) {
      if (
        await storage.countEvents().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    await stack?.stop();
  });

  it("guards the worker endpoint: POST only, and only with the secret", async () => {
    const worker = await startServer({ workerSecret: WORKER_SECRET });
    const post = (authorization?: string) =>
      fetch(`${worker.url}/worker`, { method: "POST", headers: authorization ? { authorization } : {} }).then((r) => r.status);
    expect(await post()).toBe(401);
    expect(await post(`Bearer ${WORKER_SECRET.slice(0, -1)}x`)).toBe(401);
    expect((await fetch(`${worker.url}/worker`)).status).toBe(405);
    expect(await post(`Bearer ${WORKER_SECRET}`)).toBe(200);
  });

  it("completes, exactly once, an event left processing by a killed function and one left pending", async () => {
    const run = Date.now().toString(36);
    // A deferred receiver answers 202, starts the handler, and is killed mid-run.
    const dying = await startServer({ mode: "deferred", handlerMs: 60_000 });
    const abandoned = `call_abandoned_${run}`;
    expect(await deliver(dying, abandoned)).toMatchObject({ status: 202, body: { status: "accepted" } });
    for (let i = 0; i < 100 && starts([dying]).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    dying.child.kill("SIGKILL");
    // A queue-mode receiver leaves its event pending for a worker that never comes.
    const queueing = await startServer({ mode: "queue" });
    const pending = `call_pending_${run}`;
    expect(await deliver(queueing, pending)).toMatchObject({ status: 202 });
    expect((await storage.listEvents({ callId: abandoned }))[0]?.status).toBe("processing");
    expect((await storage.listEvents({ callId: pending }))[0]?.status).toBe("pending");

    const worker = await startServer({ workerSecret: WORKER_SECRET });
    expect(await stack.sql(`select public.callhooks_configure_sweep('${worker.url}/worker', '${WORKER_SECRET}')`)).toMatch(/\d+/);
    // Configuring again replaces the schedule instead of adding a second one.
    await stack.sql(`select public.callhooks_configure_sweep('${worker.url}/worker', '${WORKER_SECRET}')`);
    expect((await stack.sql("select count(*) from cron.job where jobname = 'callhooks-sweep'")).trim()).toBe("1");

    // pg_cron 1.4 runs jobs on the minute: wait for the first sweep (or two) to complete both.
    const done = async () =>
      (await storage.listEvents({ status: "processed", since: Date.now() - 600_000 })).filter((e) =>
        [abandoned, pending].includes(e.callId ?? ""),
      );
    for (let i = 0; i < 150 && (await done()).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const processed = await done();
    expect(processed.map((e) => e.callId).sort()).toEqual([abandoned, pending].sort());
    expect(processed.find((e) => e.callId === abandoned)?.attempts).toBe(2); // the killed run, then the sweep's
    expect(processed.find((e) => e.callId === pending)?.attempts).toBe(1);
    // The sweep's worker ran each once; no one else ran them.
    expect(
      starts([worker])
        .map((s) => s.key)
        .sort(),
    ).toEqual([`call_ended:${abandoned}`, `call_ended:${pending}`].sort());
    expect(starts([queueing])).toEqual([]);
    expect(worker.reports.some((r) => "swept" in r && r.swept.status === 200)).toBe(true);
  }, 200_000);
});
