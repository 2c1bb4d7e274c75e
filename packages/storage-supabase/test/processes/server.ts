// A receiver as a deployment runs one: its own OS process, a real HTTP server, supabase-js, and
// (optionally) a worker beside it. Configured by the parent over IPC; it reports every handler run
// (start and end) back over IPC, so the parent can count runs across processes, and kill it mid-run.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createMightyCallHandler,
  createRetellHandler,
  createWorkerEndpoint,
  type HandlerContext,
  startWorker,
  type WebhookHandler,
} from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { createSupabaseStorage } from "../../src/index.js";

export interface ServerConfig {
  supabaseUrl: string;
  serviceRoleKey: string;
  retellApiKey: string;
  mightyCallAccounts: Array<{ apiKey: string; orgId: string }>;
  leaseMs: number;
  maxAttempts: number;
  /** How long each handler takes. */
  handlerMs: number;
  /** Run a worker in this process too (claiming due events every 100 ms). */
  worker: boolean;
  mode?: "sync" | "deferred" | "queue";
  /** Serve `POST /worker` (createWorkerEndpoint) with this secret. */
  workerSecret?: string;
}

export type ServerReport =
  | { listening: string }
  | { started: { key: string; orgId: string | null; attempt: number; pid: number } }
  | { finished: { key: string; orgId: string | null; aborted: boolean } }
  | { swept: { status: number; body: string } };

const report = (message: ServerReport) => process.send?.(message);

process.once("message", (config: ServerConfig) => {
  const client = createClient(config.supabaseUrl, config.serviceRoleKey, { auth: { persistSession: false } });
  const storage = createSupabaseStorage({ client });
  const quiet = { error: () => undefined, warn: () => undefined };
  const slow = async (_event: unknown, context: HandlerContext) => {
    report({ started: { key: context.key, orgId: context.orgId, attempt: context.attempt, pid: process.pid } });
    await new Promise((resolve) => setTimeout(resolve, config.handlerMs));
    report({ finished: { key: context.key, orgId: context.orgId, aborted: context.signal.aborted } });
  };
  const common = {
    storage,
    mode: config.mode,
    leaseMs: config.leaseMs,
    retry: { maxAttempts: config.maxAttempts, baseDelayMs: 50 },
    logger: quiet,
  };
  const retell = createRetellHandler({ ...common, apiKey: config.retellApiKey, on: { call_ended: slow, call_analyzed: slow } });
  const mightyCall = createMightyCallHandler({ ...common, native: { accounts: config.mightyCallAccounts }, on: { IncomingCall: slow } });
  const routes: Record<string, WebhookHandler> = { "/retell": retell, "/mightycall": mightyCall };
  if (config.worker) startWorker({ storage, handlers: [retell, mightyCall], leaseMs: config.leaseMs, pollIntervalMs: 100, logger: quiet });
  const sweep = config.workerSecret
    ? createWorkerEndpoint({ storage, handlers: [retell, mightyCall], secret: config.workerSecret, leaseMs: config.leaseMs, logger: quiet })
    : undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (req.url === "/worker" && sweep) {
        const answer = await sweep.fetch(
          new Request("http://localhost/worker", {
            method: req.method,
            headers: req.headers as Record<string, string>,
            body: req.method === "POST" ? Buffer.concat(chunks) : null,
          }),
        );
        report({ swept: { status: answer.status, body: await answer.text() } });
        res.writeHead(answer.status, { "content-type": "application/json" }).end();
        return;
      }
      const handler = routes[req.url ?? ""];
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      const result = await handler.handle({ method: req.method ?? "POST", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(result.status, result.headers).end(result.body);
    });
  });
  server.listen(0, "127.0.0.1", () => report({ listening: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
