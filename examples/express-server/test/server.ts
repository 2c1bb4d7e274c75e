import { fileURLToPath } from "node:url";
import { runCallhooks, runExpectingFailure, type ServerProcess, startServerProcess } from "@callhooks/test-support";

export const exampleDir = fileURLToPath(new URL("..", import.meta.url));

/** Node runs src/*.ts by type stripping: by default from 22.18, behind this flag before. */
const nodeArgs = process.features.typescript ? [] : ["--experimental-strip-types"];

/** Only what the server needs: nothing from the test process (a developer's RETELL_API_KEY, NODE_OPTIONS) leaks in. */
function serverEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? exampleDir, NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", ...extra };
}

export type Running = ServerProcess;

const server = (env: Record<string, string>) => ({ command: process.execPath, args: [...nodeArgs, "src/server.ts"], cwd: exampleDir, env: serverEnv(env) });

/** Starts `node src/server.ts` for real, on a port the OS picks, and resolves once it listens. */
export const startServer = (env: Record<string, string>): Promise<Running> =>
  startServerProcess({ ...server(env), listening: /listening on http:\/\/localhost:(\d+)/ });

/** Runs the server expecting it to refuse to start. */
export const startFailure = (env: Record<string, string>) => runExpectingFailure(server(env));

/** `callhooks <args>` from @callhooks/cli, as a developer runs it. */
export const cli = (args: string[], env: Record<string, string>) => runCallhooks(args, { cwd: exampleDir, env });
