import { execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const exampleDir = fileURLToPath(new URL("..", import.meta.url));
export const callhooksCli = createRequire(import.meta.url).resolve("@callhooks/cli/package.json").replace(/package\.json$/, "bin/callhooks.js");

/** Node runs src/*.ts by type stripping: by default from 22.18, behind this flag before. */
const nodeArgs = process.features.typescript ? [] : ["--experimental-strip-types"];

/** Only what the server needs: nothing from the test process (a developer's RETELL_API_KEY, NODE_OPTIONS) leaks in. */
function serverEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? exampleDir, NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", ...extra };
}

export interface Running {
  url: string;
  /** Everything the server printed so far, stdout and stderr. */
  output(): string;
  /** Resolves once the output matches (it is piped, so it may trail a response). */
  waitFor(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node src/server.ts` for real, on a port the OS picks, and resolves once it listens. */
export function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [...nodeArgs, "src/server.ts"], { cwd: exampleDir, env: serverEnv(env), stdio: ["ignore", "pipe", "pipe"] });
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
    child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening:\n${output}`)));
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
export async function startFailure(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...nodeArgs, "src/server.ts"], { cwd: exampleDir, env: serverEnv(env), timeout: 30_000 });
    throw new Error(`the server exited 0:\n${stdout}${stderr}`);
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
