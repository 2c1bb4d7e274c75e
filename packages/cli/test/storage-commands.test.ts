import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import type { SupabaseStackInfo } from "@callhooks/storage-supabase/testing";
import { createRetellHandler, type HandlerContext, processPending, type WebhookStorage } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { runCli, stack } from "./helpers.ts";

const API_KEY = "key_cli_storage_0123456789";

describe.skipIf(!stack)("callhooks events and replay against a Supabase project", () => {
  const info = stack as SupabaseStackInfo;
  const flags = () => ["--supabase-url", info.supabaseUrl, "--service-key", info.serviceRoleKey];
  let storage: WebhookStorage;
  let healthy = false;
  const replays: HandlerContext[] = [];
  let handler: ReturnType<typeof createRetellHandler>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    storage = createSupabaseStorage({ client: createClient(info.supabaseUrl, info.serviceRoleKey, { auth: { persistSession: false } }) });
    handler = createRetellHandler({
      apiKey: API_KEY,
      storage,
      logger: {},
      retry: { maxAttempts: 1 },
      on: {
        call_analyzed: async (_event, context) => {
          if (!healthy) throw new Error("CRM down");
          replays.push(context);
        },
        call_started: async () => {},
      },
    });
    const deliver = async (event: unknown) => {
      const response = await handler.fetch(await createSignedRetellRequest(event, { apiKey: API_KEY }));
      return ((await response.json()) as { event_id?: string }).event_id as string;
    };
    for (const callId of ["call_cli_a", "call_cli_b", "call_cli_c"])
      ids[`started_${callId}`] = await deliver(retellSample("call_started", { callId }));
    for (const callId of ["call_cli_a", "call_cli_b"]) {
      await deliver(retellSample("call_analyzed", { callId })); // a 500: no event_id in the answer
      ids[`analyzed_${callId}`] = (await storage.listEvents({ callId, type: "call_analyzed" }))[0]?.id as string;
    }
  });

  it("lists events newest first, filtered, as a table or JSON lines, and never prints the service key", async () => {
    const all = await runCli(["events", ...flags()]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^RECEIVED \(UTC\)\s+STATUS/);
    expect(all.stdout).toContain("5 events");
    expect(all.stdout + all.stderr).not.toContain(info.serviceRoleKey);

    const dead = await runCli(["events", "--status", "dead", "--json"], {
      env: { SUPABASE_URL: info.supabaseUrl, SUPABASE_SERVICE_ROLE_KEY: info.serviceRoleKey },
    });
    const rows = dead.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.type, r.callId, r.status, r.lastError])).toEqual([
      ["call_analyzed", "call_cli_b", "dead", "CRM down"],
      ["call_analyzed", "call_cli_a", "dead", "CRM down"],
    ]);
    const oneCall = await runCli(["events", "--call-id", "call_cli_a", "--type", "call_started", ...flags()]);
    expect(oneCall.stdout).toContain(ids.started_call_cli_a);
    expect(oneCall.stdout).toContain("1 event");

    const counts = await runCli(["events", "--counts", "--json", ...flags()]);
    expect(JSON.parse(counts.stdout)).toMatchObject({ processed: 3, dead: 2 });
  });

  it("shows one event in full, and exits 1 for an id it does not know", async () => {
    const one = await runCli(["events", ids.analyzed_call_cli_a as string, ...flags()]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('"lastError": "CRM down"');
    expect(one.stdout).toContain('"call_id": "call_cli_a"');
    const none = await runCli(["events", "00000000-0000-4000-8000-000000000000", ...flags()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("No event has the id");
  });

  it("replay requeues the dead events for the app's workers, which then run them as replays", async () => {
    const dry = await runCli(["replay", "--status", "dead", "--dry-run", ...flags()]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("2 events would be requeued");
    expect((await storage.countEvents()).dead).toBe(2);

    const run = await runCli(["replay", "--status", "dead", "--type", "call_analyzed", ...flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2 events requeued for your workers");
    expect(await storage.countEvents()).toMatchObject({ dead: 0, pending: 2 });

    healthy = true;
    expect(await processPending({ storage, handlers: handler })).toMatchObject({ claimed: 2, processed: 2 });
    expect(replays.map((c) => [c.attempt, c.replay])).toEqual([
      [2, true],
      [2, true],
    ]);
  });

  it("replays one processed event by id; refuses to replay everything without a filter", async () => {
    const run = await runCli(["replay", ids.started_call_cli_c as string, "--json", ...flags()]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ id: ids.started_call_cli_c, type: "call_started", outcome: "requeued" });
    expect(await storage.getEvent(ids.started_call_cli_c as string)).toMatchObject({ status: "pending" });
    const everything = await runCli(["replay", ...flags()]);
    expect(everything.code).toBe(2);
    expect(everything.stderr).toContain("at least one filter");
  });

  it("says which storage is missing, and what a wrong key does, without the key", async () => {
    const none = await runCli(["events"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--supabase-url");
    const wrong = await runCli(["events", "--supabase-url", info.supabaseUrl, "--service-key", info.anonKey]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).not.toContain(info.anonKey);
  });
});

describe("any WebhookStorage through --storage <module>", () => {
  const memoryStorage = fileURLToPath(new URL("../../storage-memory/dist/index.js", import.meta.url));
  let dir: string;
  let module: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "callhooks-cli-storage-"));
    module = join(dir, "storage.mjs");
    // 1 100 events, three per millisecond: paging must neither skip nor repeat at page boundaries.
    writeFileSync(
      module,
      `import { createMemoryStorage } from ${JSON.stringify(memoryStorage)};
export default async function () {
  const storage = createMemoryStorage({ maxEvents: 5000 });
  for (let i = 0; i < 1100; i++) {
    const event = { provider: "retell", key: "k" + i, type: "call_started", callId: "call_" + i, orgId: null, payload: {}, receivedAt: 1767268800000 + Math.floor(i / 3) };
    await storage.claim({ event, records: [], mode: i % 10 === 0 ? "lease" : "complete", leaseMs: 3600000, now: Date.now() });
  }
  return storage;
}
`,
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("events --all reads every page, with progress, each event once", async () => {
    const run = await runCli(["events", "--all", "--json", "--storage", module]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1100);
    expect(new Set(lines.map((line) => JSON.parse(line).id)).size).toBe(1100);
    expect(run.stderr).toContain("1100 events read");
  });

  it("replay --all requeues all but the events under a live lease", async () => {
    const run = await runCli(["replay", "--type", "call_started", "--all", "--storage", module]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("990 events requeued for your workers (110 left alone: under a live lease or quarantined)");
    expect(run.stderr).toContain("1100/1100 requeued");
  });

  it("refuses a module that does not export a storage", async () => {
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export default { hello: 1 };\n");
    const run = await runCli(["events", "--storage", bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("must export a WebhookStorage");
  });
});
