import { spawn } from "node:child_process";

/**
 * A watchdog process that cleans up after a stack whose owner died without calling stop(): a
 * vitest worker killed on a timeout, a SIGKILL, a closed pipe. It reads what to clean from its
 * stdin, one JSON line at a time; when stdin closes without a final "done" (the owner is gone,
 * however it died) it kills the processes, drops the database and removes the temp dir.
 */
const REAPER = `
const { execFileSync } = require("node:child_process");
const { rmSync } = require("node:fs");
const todo = { pids: [], dirs: [], drops: [] };
let buffer = "", done = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf("\\n")) >= 0) {
    const line = buffer.slice(0, i); buffer = buffer.slice(i + 1);
    if (line === "done") { done = true; continue; }
    const item = JSON.parse(line);
    if (item.kind === "forget") todo.pids = todo.pids.filter(([pid]) => pid !== item.value);
    else todo[item.kind].push(item.value);
  }
});
process.stdin.on("end", () => {
  if (done) return;
  for (const [pid, signal] of todo.pids.reverse()) { try { process.kill(pid, signal); } catch {} }
  setTimeout(() => {
    for (const [psql, url, sql] of todo.drops) { try { execFileSync(psql, ["-X", "-q", "-d", url, "-c", sql], { stdio: "ignore", timeout: 10000 }); } catch {} }
    for (const dir of todo.dirs) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
  }, 1000);
});
`;

export interface Reaper {
  /** A process to signal (postgres: SIGQUIT, an immediate shutdown), a dir to delete, a database to drop. */
  track(kind: "pids", value: [pid: number, signal: NodeJS.Signals]): void;
  track(kind: "dirs", value: string): void;
  track(kind: "drops", value: [psql: string, url: string, sql: string]): void;
  /** A tracked process that has exited: its pid may be reused, so it must not be signalled. */
  track(kind: "forget", value: number): void;
  /** Stopped cleanly: nothing left to clean. */
  done(): void;
}

export function startReaper(): Reaper {
  const child = spawn(process.execPath, ["-e", REAPER], { stdio: ["pipe", "ignore", "ignore"], detached: true });
  child.unref();
  const stdin = child.stdin as NodeJS.WritableStream & { unref?(): void };
  stdin.unref?.();
  child.on("error", () => undefined);
  child.stdin?.on("error", () => undefined);
  return {
    track(kind: string, value: unknown) {
      child.stdin?.write(`${JSON.stringify({ kind, value })}\n`);
    },
    done() {
      child.stdin?.end("done\n");
    },
  };
}
