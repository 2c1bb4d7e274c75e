import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerProcess, startServerProcess } from "@callhooks/test-support";
import { expect } from "vitest";

const require = createRequire(import.meta.url);
export const packageDir = fileURLToPath(new URL("..", import.meta.url));
const packageRoot = (name: string) => dirname(require.resolve(`${name}/package.json`));
const exe = process.platform === "win32" ? ".exe" : "";

/** The runtimes, all installed from the npm registry by `pnpm install` (see package.json). */
export const runtimes = {
  node22: { name: "Node 22", bin: join(packageRoot("node22"), "bin", `node${exe}`), args: [], version: /^node 22\./ },
  node24: { name: "Node 24", bin: join(packageRoot("node24"), "bin", `node${exe}`), args: [], version: /^node 24\./ },
  bun: { name: "Bun", bin: join(packageRoot("bun"), "bin", "bun.exe"), args: [], version: /^bun \d/ },
  deno: {
    name: "Deno",
    bin: join(packageRoot("deno"), `deno${exe}`),
    args: ["run", "--allow-read", "--allow-env", "--allow-net"],
    version: /^deno 2\./,
  },
} as const;

export type Runtime = (typeof runtimes)[keyof typeof runtimes];

/**
 * Locally a runtime whose install script did not run is skipped with the reason; in CI it fails.
 * Returns the reason to skip, or undefined.
 */
export function missing(runtime: { bin: string }): string | undefined {
  if (existsSync(runtime.bin)) return undefined;
  const reason = `${runtime.bin} is missing: run pnpm install (root package.json pnpm.onlyBuiltDependencies must allow its install script)`;
  if (process.env.CI === "true") throw new Error(reason);
  return reason;
}

/** The tests run the built packages: `npm test` builds first; a bare `vitest run` must too. */
export function assertBuilt(): void {
  for (const pkg of ["webhook-core", "storage-memory", "adapter-hono"]) {
    const entry = join(packageDir, "..", pkg, "dist", "index.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run pnpm build before the runtime tests (npm test does).`);
  }
}

/** Only what the runtimes need: nothing from the test process (NODE_OPTIONS, secrets) leaks in. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? packageDir,
    DENO_DIR: join(packageDir, "node_modules", ".cache", "deno"),
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    ...extra,
  };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(bin: string, args: readonly string[], env = childEnv()): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON a probe printed on its RESULT line. */
export function resultOf(finished: Finished): Record<string, unknown> {
  const line = finished.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line (exit ${finished.code})\nstdout: ${finished.stdout}\nstderr: ${finished.stderr}`);
  return JSON.parse(line.slice("RESULT ".length));
}

export type Served = ServerProcess;

/** Starts a long-running server process and resolves with the URL it prints when listening. */
export const serve = (bin: string, args: readonly string[], env: Record<string, string>): Promise<Served> =>
  startServerProcess({ command: bin, args, cwd: packageDir, env, listening: /Listening on (http:\/\/\S+?)\/?(?:\s|$)/ });

const fixtures = new URL("../../../../shared/fixtures/retell/", import.meta.url);
export const fixture = (file: string): Buffer => readFileSync(new URL(file, fixtures));

/** What every runtime's round trip must give (see probe/probe.mjs). */
export function expectRoundTrip(result: Record<string, unknown>, job: { callId: string; inboundResponse: unknown }): void {
  const results = result.results as Record<string, { status: number; body: string }>;
  const json = (name: string) => JSON.parse(results[name]?.body ?? "null");
  expect(results.call_ended?.status).toBe(200);
  expect(json("call_ended")).toMatchObject({ status: "processed" });
  expect(results.duplicate?.status).toBe(200);
  expect(json("duplicate")).toEqual({ status: "duplicate", event_id: json("call_ended").event_id });
  expect(results.forged?.status).toBe(401);
  expect(results.call_inbound?.status).toBe(200);
  expect(json("call_inbound")).toEqual(job.inboundResponse);
  expect([results.webcrypto?.status, results.webcrypto_forged?.status]).toEqual([200, 401]);
  // Once by the default handler, once by the WebCrypto one (its own storage); never for a duplicate.
  expect(result.seen).toEqual([job.callId, job.callId]);
}
