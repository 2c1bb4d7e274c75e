import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { chownSync, closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort, waitFor } from "./ports.js";

/** No PostgreSQL to run the stack on: no DATABASE_URL, no server on 127.0.0.1:5432, no server binaries. */
export class PostgresUnavailableError extends Error {}

/** The newest installed server binaries: `PG_BIN`, else /usr/lib/postgresql/<n>/bin. */
export function findServerBin(): string | null {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(root, v, "bin")));
  }
  return candidates.find((dir) => existsSync(join(dir, "postgres")) && existsSync(join(dir, "initdb"))) ?? null;
}

/** psql: next to the server binaries, or on PATH. */
export function findPsql(): string | null {
  const bin = findServerBin();
  if (bin && existsSync(join(bin, "psql"))) return join(bin, "psql");
  if (process.env.PG_BIN && existsSync(join(process.env.PG_BIN, "psql"))) return join(process.env.PG_BIN, "psql");
  return spawnSync("psql", ["--version"], { stdio: "ignore" }).status === 0 ? "psql" : null;
}

/** libpq would otherwise pick up the caller's PGHOST, PGPASSWORD, … over the URL we pass. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("PG")) env[name] = value;
  return env;
}

/** Runs SQL through psql (tuples only, unaligned) and returns its output. Stops at the first error. */
export function psql(psqlBin: string, url: string, input: { sql: string } | { file: string }, single = false): Promise<string> {
  const args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, ...(single ? ["-1"] : [])];
  args.push(...("sql" in input ? ["-c", input.sql] : ["-f", input.file]));
  return new Promise((resolve, reject) => {
    execFile(psqlBin, args, { env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`psql failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

export function tcpAnswers(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new PostgresUnavailableError("Running as root, and there is no `postgres` user to run a private PostgreSQL cluster as.");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function run(
  bin: string,
  args: string[],
  options: { cwd: string; user?: { uid: number; gid: number } | undefined; log: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(options.log, "a");
    const child = spawn(bin, args, { cwd: options.cwd, env: cleanEnv(), stdio: ["ignore", fd, fd], ...options.user });
    closeSync(fd);
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args[0]} exited with ${code}: see ${options.log}`))));
  });
}

/** A throwaway PostgreSQL cluster in `dir`, owned by the postgres user when we are root (postgres refuses root). */
export interface PrivateCluster {
  url(database: string): string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Synchronous last-resort kill for process exit. */
  kill(): void;
}

/** Told each postmaster's pid as it starts and exits (a restart is a new process), for the reaper. */
export interface ProcessWatch {
  started(pid: number): void;
  exited(pid: number): void;
}

export async function createCluster(bin: string, dir: string, psqlBin: string, watch?: ProcessWatch): Promise<PrivateCluster> {
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  await run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N"], { cwd: dir, user, log });
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;

  const cluster: PrivateCluster = {
    port,
    url,
    async start() {
      if (child) return;
      const fd = openSync(log, "a");
      // Durability settings off: a test cluster trades crash safety for speed.
      const args = ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`];
      args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200");
      const started = spawn(join(bin, "postgres"), args, { cwd: dir, env: cleanEnv(), stdio: ["ignore", fd, fd], ...user });
      closeSync(fd);
      child = started;
      if (started.pid) watch?.started(started.pid);
      started.once("exit", () => {
        if (started.pid) watch?.exited(started.pid);
        if (child === started) child = undefined;
      });
      await waitFor("PostgreSQL", 15_000, async () => {
        if (!child) throw new Error(`PostgreSQL exited: see ${log}`);
        await psql(psqlBin, url("postgres"), { sql: "select 1" });
        return true;
      });
    },
    async stop() {
      const running = child;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGINT"); // fast shutdown: aborts open transactions, as a crash or failover would for clients
      await exited;
    },
    kill() {
      child?.kill("SIGQUIT");
    },
  };
  await cluster.start();
  return cluster;
}
