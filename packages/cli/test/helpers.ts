import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { SupabaseStackInfo } from "@callhooks/storage-supabase/testing";
import type { WebhookHandler } from "@callhooks/webhook-core";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    supabaseStack: SupabaseStackInfo | null;
  }
}

/** The run's Supabase-like stack (test/global-setup.ts), or null when there is no PostgreSQL. */
export const stack: SupabaseStackInfo | null = inject("supabaseStack");

export const cliRoot = fileURLToPath(new URL("../", import.meta.url));
export const binPath = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
export const sharedFixtures = fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `callhooks` binary in a child process (as a user's shell would). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; stdin?: string | Uint8Array; cwd?: string } = {},
): Promise<CliRun> {
  if (!existsSync(binPath)) throw new Error(`${binPath} is missing: run \`pnpm build\` first (the root \`pnpm test\` does).`);
  const env: Record<string, string> = {};
  // A clean environment: no colours, no keys from the developer's shell.
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(NO_COLOR|FORCE_COLOR|RETELL_|MIGHTYCALL_|SUPABASE_|CALLHOOKS_)/.test(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [binPath, ...args],
      { env, cwd: options.cwd ?? cliRoot, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? "");
  });
}

async function bodyOf(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A real HTTP server: `/retell` and `/mightycall` run the handlers; `/echo` reflects the request's headers. */
export async function startServer(
  routes: Record<string, WebhookHandler>,
): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/echo") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ headers: request.headers }));
      return;
    }
    const handler = routes[path];
    if (!handler) {
      response.writeHead(404).end();
      return;
    }
    const result = await handler.handle({
      method: request.method ?? "GET",
      headers: request.headers,
      body,
      url: `http://localhost${request.url}`,
      remoteAddress: request.socket.remoteAddress,
    });
    response.writeHead(result.status, result.headers).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
