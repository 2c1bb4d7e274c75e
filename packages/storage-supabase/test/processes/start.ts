import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerConfig, ServerReport } from "./server.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const serverScript = fileURLToPath(new URL("./server.ts", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it reported, in order: handler runs (started, finished) and worker sweeps. */
  reports: ServerReport[];
}

/** A receiver in its own OS process (processes/server.ts), serving real HTTP; resolves once it listens. */
export function startServerProcess(config: ServerConfig): Promise<ServerProcess> {
  const child = fork(serverScript, [], {
    cwd: packageDir,
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TSX_TSCONFIG_PATH: `${packageDir}/tsconfig.json` },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const reports: ServerReport[] = [];
  return new Promise((resolve, reject) => {
    child.on("message", (report: ServerReport) => {
      reports.push(report);
      if ("listening" in report) resolve({ url: report.listening, child, reports });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`)));
    child.send(config);
  });
}

/** The handler runs a server reported, in order. */
export const starts = (servers: readonly ServerProcess[]) =>
  servers.flatMap((server) => server.reports.flatMap((report) => ("started" in report ? [report.started] : [])));
