import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  nodeTypeScriptArgs,
  runCallhooks,
  runExpectingFailure,
  type ServerProcess,
  serverEnv,
  startServerProcess,
} from "@callhooks/test-support";

export const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export interface Runtime {
  name: "Node" | "Bun" | "Deno";
  bin: string;
  args: string[];
}

/** The three runtimes, each serving src/app.ts through its own small entry file. Bun and Deno come from npm. */
export const runtimes: Runtime[] = [
  { name: "Node", bin: process.execPath, args: [...nodeTypeScriptArgs, "src/node.ts"] },
  // --no-env-file: a developer's .env must not change what the test sees.
  { name: "Bun", bin: join(packageDir("bun"), "bin", "bun.exe"), args: ["--no-env-file", "src/bun.ts"] },
  {
    name: "Deno",
    bin: join(packageDir("deno"), "deno"),
    args: ["run", "--node-modules-dir=manual", "--allow-net", "--allow-env", "--allow-read", "src/deno.ts"],
  },
];

/** Locally a runtime whose install script did not run is skipped with the reason; with CI=true that fails. */
export function missing(runtime: Runtime): string | undefined {
  if (existsSync(runtime.bin)) return undefined;
  const reason = `${runtime.bin} is missing: run pnpm install (the root package.json's pnpm.onlyBuiltDependencies must allow its install script)`;
  if (process.env.CI === "true") throw new Error(reason);
  console.warn(`SKIPPING hono-server on ${runtime.name}: ${reason}`);
  return reason;
}

/** The shared isolated environment, plus Deno's cache inside the example. */
const env = (extra: Record<string, string>) =>
  serverEnv(exampleDir, { DENO_DIR: join(exampleDir, "node_modules", ".cache", "deno"), DENO_NO_UPDATE_CHECK: "1", ...extra });

export type Running = ServerProcess;

const server = (runtime: Runtime, extra: Record<string, string>) => ({
  name: runtime.name,
  command: runtime.bin,
  args: runtime.args,
  cwd: exampleDir,
  env: env(extra),
});

/** Starts the server on `runtime` for real, on a port the OS picks, and resolves once it listens. */
export const startServer = (runtime: Runtime, env: Record<string, string>): Promise<Running> =>
  startServerProcess({ ...server(runtime, env), listening: /listening on http:\/\/localhost:(\d+)/ });

/** Runs the server expecting it to refuse to start. */
export const startFailure = (runtime: Runtime, env: Record<string, string>) => runExpectingFailure(server(runtime, env));

/** `callhooks <args>` from @callhooks/cli, as a developer runs it. */
export const cli = (args: string[], env: Record<string, string>) => runCallhooks(args, { cwd: exampleDir, env });
