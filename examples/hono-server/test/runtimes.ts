import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
export const callhooksCli = join(packageDir("@callhooks/cli"), "bin", "callhooks.js");

export interface Runtime {
  name: "Node" | "Bun" | "Deno";
  bin: string;
  args: string[];
}

/** The three runtimes, each serving src/app.ts through its own small entry file. Bun and Deno come from npm. */
export const runtimes: Runtime[] = [
  // Node runs .ts by type stripping: by default from 22.18, behind this flag before.
  { name: "Node", bin: process.execPath, args: [...(process.features.typescript ? [] : ["--experimental-strip-types"]), "src/node.ts"] },
  // --no-env-file: a developer's .env must not change what the test sees.
  { name: "Bun", bin: join(packageDir("bun"), "bin", "bun.exe"), args: ["--no-env-file", "src/bun.ts"] },
  { name: "Deno", bin: join(packageDir("deno"), "deno"), args: ["run", "--node-modules-dir=manual", "--allow-net", "--allow-env", "--allow-read", "src/deno.ts"] },
];

/** Locally a runtime whose install script did not run is skipped with the reason; with CI=true that fails. */
export function missing(runtime: Runtime): string | undefined {
  if (existsSync(runtime.bin)) return undefined;
  const reason = `${runtime.bin} is missing: run pnpm install (the root package.json's pnpm.onlyBuiltDependencies must allow its install script)`;
  if (process.env.CI === "true") throw new Error(reason);
  console.warn(`SKIPPING hono-server on ${runtime.name}: ${reason}`);
  return reason;
}

/** Only what the server needs: nothing from the test process (a developer's RETELL_API_KEY, NODE_OPTIONS) leaks in. */
function serverEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? exampleDir,
    NO_COLOR: "1",
    DENO_DIR: join(exampleDir, "node_modules", ".cache", "deno"),
    DENO_NO_UPDATE_CHECK: "1",
    PORT: "0",
    HOST: "127.0.0.1",
    ...extra,
  };
}

export interface Running {
  url: string;
  output(): string;
  /** Resolves once the output matches (it is piped, so it may trail a response). */
  waitFor(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the server on `runtime` for real, on a port the OS picks, and resolves once it listens. */
export function startServer(runtime: Runtime, env: Record<string, string>): Promise<Running> {
  const child = spawn(runtime.bin, runtime.args, { cwd: exampleDir, env: serverEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const waiters = new Set<() => void>();
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const check = () => {
        if (!pattern.test(output)) return;
        waiters.delete(check);
        resolve(output);
      };
      waiters.add(check);
      check();
    });
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const check of [...waiters]) check();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${runtime.name} exited with ${code} before listening:\n${output}`)));
    void waitFor(/listening on http:\/\/localhost:(\d+)/).then((text) => {
      const port = (/listening on http:\/\/localhost:(\d+)/.exec(text) as RegExpExecArray)[1];
      resolve({
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        waitFor,
        stop: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

/** Runs the server expecting it to refuse to start. */
export async function startFailure(runtime: Runtime, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(runtime.bin, runtime.args, { cwd: exampleDir, env: serverEnv(env), timeout: 30_000 });
    throw new Error(`${runtime.name} exited 0:\n${stdout}${stderr}`);
  } catch (error) {
    const failed = error as { code?: number | null; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** `callhooks <args>` from @callhooks/cli, as a developer runs it. */
export async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return promisify(execFile)(process.execPath, [callhooksCli, ...args], { cwd: exampleDir, env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "" }),
  );
}
