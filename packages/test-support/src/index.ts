import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";

export interface ServerProcessOptions {
  /** Named in errors ("Deno exited with 1 before listening"). */
  name?: string;
  command: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment: nothing of the test process leaks in unless given here. */
  env: Record<string, string>;
  /** Matches the server's "listening" line; its first group is the URL, or the port on 127.0.0.1. */
  listening: RegExp;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the output so far once it matches (output is piped, so it may trail a response). */
  waitFor(pattern: RegExp): Promise<string>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a real server process and resolves once it prints that it listens. */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const name = options.name ?? "the server";
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
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
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before listening:\n${output}`)));
    void waitFor(options.listening).then((text) => {
      const found = (options.listening.exec(text) as RegExpExecArray)[1] as string;
      resolve({
        url: /^\d+$/.test(found) ? `http://127.0.0.1:${found}` : found.replace(/\/$/, ""),
        child,
        output: () => output,
        waitFor,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

/** Runs a process that is expected to refuse to start; resolves with its exit code and output. */
export async function runExpectingFailure(
  options: Omit<ServerProcessOptions, "listening"> & { timeoutMs?: number },
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs ?? 30_000,
    });
    throw new Error(`${options.name ?? "the process"} exited 0:\n${stdout}${stderr}`);
  } catch (error) {
    const failed = error as { code?: number | string | null; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** The built `callhooks` binary of this workspace. */
export const callhooksCli = createRequire(import.meta.url)
  .resolve("@callhooks/cli/package.json")
  .replace(/package\.json$/, "bin/callhooks.js");

/** `callhooks <args>`, as a developer runs it; resolves with the exit code and stdout, never rejects. */
export function runCallhooks(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number; stdout: string }> {
  return promisify(execFile)(process.execPath, [callhooksCli, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...options.env },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "" }),
  );
}

/** Node runs `.ts` entry files by type stripping: by default from 22.18, behind this flag before. */
export const nodeTypeScriptArgs: readonly string[] = process.features.typescript ? [] : ["--experimental-strip-types"];

/**
 * Only what a server under test needs: nothing from the test process (a developer's RETELL_API_KEY,
 * NODE_OPTIONS) leaks in. It listens on a port the OS picks, on loopback.
 */
export function serverEnv(home: string, extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? home, NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", ...extra };
}

/**
 * The processes of a Node example whose entry file prints `listening on http://localhost:<port>`:
 * start it for real, run it expecting it to refuse to start, and run the CLI against it.
 */
export function nodeExample(exampleDir: string, entry: string) {
  const server = (env: Record<string, string>) => ({
    command: process.execPath,
    args: [...nodeTypeScriptArgs, entry],
    cwd: exampleDir,
    env: serverEnv(exampleDir, env),
  });
  return {
    startServer: (env: Record<string, string>): Promise<ServerProcess> =>
      startServerProcess({ ...server(env), listening: /listening on http:\/\/localhost:(\d+)/ }),
    startFailure: (env: Record<string, string>) => runExpectingFailure(server(env)),
    cli: (args: string[], env: Record<string, string>) => runCallhooks(args, { cwd: exampleDir, env }),
  };
}

export { curl } from "./curl.js";
