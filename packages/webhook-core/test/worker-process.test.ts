import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler, processPending, type HandlerContext, type WebhookStorage } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";

// A worker in a real child process, killed with SIGKILL in the middle of an event. The storage lives
// in this (the parent) process, so it survives the kill; the child reaches it over HTTP.

const root = fileURLToPath(new URL("../../../", import.meta.url));
const coreSource = join(root, "packages/webhook-core/src/index.ts");
const API_KEY = "key_worker_process_0123456789";
const LEASE_MS = 60_000;

/** Serves a storage's methods over HTTP: `POST { method, args }` → `{ result }`. */
function serveStorage(storage: WebhookStorage): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { method, args } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { method: keyof WebhookStorage; args: unknown[] };
    try {
      const result = await (storage[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      response.end(JSON.stringify({ result: result ?? null }));
    } catch (error) {
      response.statusCode = 500;
      response.end(JSON.stringify({ error: String(error) }));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

const childSource = `
import { createRetellHandler, startWorker } from ${JSON.stringify(coreSource)};
const methods = ["claim", "complete", "fail", "claimDue", "requeue", "getEvent", "listEvents", "countEvents", "getRecord", "getCall"];
const storage = Object.fromEntries(methods.map((method) => [method, async (...args) => {
  const response = await fetch(process.env.STORAGE_URL, { method: "POST", body: JSON.stringify({ method, args }) });
  const reply = await response.json();
  if (!response.ok) throw new Error(reply.error);
  return reply.result;
}]));
const handler = createRetellHandler({
  apiKey: "unused-by-workers",
  storage,
  logger: {},
  on: {
    call_ended: async (_event, context) => {
      process.stdout.write("started " + context.eventId + " " + context.attempt + "\\n");
      await new Promise(() => {}); // a long handler: the kill comes first
    },
  },
});
startWorker({ storage, handlers: handler, leaseMs: ${LEASE_MS}, pollIntervalMs: 60000 });
`;

let dir: string;
let bridge: { server: Server; url: string };
const storage = createMemoryStorage();
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "callhooks-worker-"));
  writeFileSync(join(dir, "worker.mjs"), childSource);
  bridge = await serveStorage(storage);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await new Promise((resolve) => bridge.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first stdout line matching `pattern`, or rejects if the child exits first. */
function lineFrom(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((l) => pattern.test(l));
      if (line) resolve(line);
    });
    child.on("exit", (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before "${pattern}": ${stderr}`)));
  });
}

describe("a worker killed mid-event", () => {
  it("leaves its event under a lease that another worker takes over once it lapses, and completes", async () => {
    const contexts: HandlerContext[] = [];
    const handler = createRetellHandler({
      apiKey: API_KEY,
      storage,
      mode: "queue",
      logger: {},
      on: {
        call_ended: async (_event, context) => {
          contexts.push(context);
        },
      },
    });
    const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended"), { apiKey: API_KEY }));
    expect(response.status).toBe(202);
    const { event_id: eventId } = (await response.json()) as { event_id: string };

    const child = spawn(process.execPath, ["--import", "tsx", join(dir, "worker.mjs")], {
      cwd: root,
      env: { ...process.env, STORAGE_URL: bridge.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    expect(await lineFrom(child, /^started /)).toBe(`started ${eventId} 1`);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const orphan = await storage.getEvent(eventId);
    expect(orphan).toMatchObject({ status: "processing", attempts: 1 });
    expect(orphan!.leaseExpiresAt).toBeGreaterThan(Date.now());
    // While the dead worker's lease lasts, nobody else may take the event.
    expect(await processPending({ storage, handlers: handler })).toMatchObject({ claimed: 0 });
    expect(contexts).toHaveLength(0);

    const afterLapse = () => orphan!.leaseExpiresAt! + 1;
    expect(await processPending({ storage, handlers: handler, now: afterLapse })).toMatchObject({ claimed: 1, processed: 1 });
    expect(contexts.map((c) => [c.eventId, c.attempt, c.replay])).toEqual([[eventId, 2, true]]);
    expect(await storage.getEvent(eventId)).toMatchObject({ status: "processed", attempts: 2 });
  });
});
