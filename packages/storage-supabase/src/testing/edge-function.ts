import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { PostgresUnavailableError } from "./postgres.js";
import { type SupabaseStack, startSupabaseStack } from "./stack.js";

export interface StartEdgeFunctionOptions {
  /** The Supabase project: the folder holding `supabase/functions` and `supabase/migrations`. */
  projectDir: string;
  /** The function: `supabase/functions/<name>/index.ts`. */
  name: string;
  /** The function's secrets, as `supabase secrets set` would give them. */
  secrets?: Record<string, string>;
  /** `host:port` to listen on; default a free port on 127.0.0.1. */
  listen?: string;
  /** SQL run before the project's migrations (e.g. stand-ins for schemas Supabase provides). */
  sqlBefore?: string[];
  /** The Deno binary; default the npm `deno` package installed in the project, else `deno` on PATH. */
  deno?: string;
}

export interface LocalEdgeFunction {
  /** Where the function listens (what `supabase functions serve` would expose). */
  url: string;
  stack: SupabaseStack;
  /** A service-role client of the same database, for seeding and asserting. */
  db: SupabaseClient;
  /** Everything the function printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Supabase Auth owns `auth.users`; the test stack serves only the REST API, so this stands in for
 * the table migrations usually reference.
 */
export const AUTH_USERS_STANDIN = "create table if not exists auth.users (id uuid primary key, email text)";

function projectMigrations(projectDir: string): string[] {
  const dir = join(projectDir, "supabase", "migrations");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => readFileSync(join(dir, name), "utf8"));
}

function denoBinary(projectDir: string): string {
  try {
    const pkg = createRequire(join(projectDir, "package.json")).resolve("deno/package.json");
    return join(dirname(pkg), process.platform === "win32" ? "deno.exe" : "deno");
  } catch {
    return "deno";
  }
}

export interface ServeEdgeFunctionOptions {
  /** The Supabase project: the folder holding `supabase/functions`. */
  projectDir: string;
  /** The function: `supabase/functions/<name>/index.ts`. */
  name: string;
  /** The project's API, as Supabase sets it in every function. */
  supabaseUrl: string;
  serviceRoleKey: string;
  /** The function's secrets, as `supabase secrets set` would give them. */
  secrets?: Record<string, string>;
  /** `host:port` to listen on; default a free port on 127.0.0.1. */
  listen?: string;
  /** The Deno binary; default the npm `deno` package installed in the project, else `deno` on PATH. */
  deno?: string;
}

export interface ServedEdgeFunction {
  url: string;
  /** Everything the function printed so far. */
  output(): string;
  /** Stops Deno (the stack it talks to is the caller's). */
  stop(): Promise<void>;
}

/**
 * One Edge Function of a project, served by Deno against a stack that is already running, as
 * `supabase functions serve` serves each function of a project: `index.ts` unchanged, with
 * `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` set as in a deployed function. Deno resolves the
 * function's imports through its own deno.json; `--node-modules-dir=manual` makes `npm:` specifiers
 * resolve from the project's node_modules, so nothing is downloaded.
 */
export async function serveEdgeFunction(options: ServeEdgeFunctionOptions): Promise<ServedEdgeFunction> {
  const entry = join(options.projectDir, "supabase", "functions", options.name, "index.ts");
  const child = spawn(
    options.deno ?? denoBinary(options.projectDir),
    ["run", "--node-modules-dir=manual", "--allow-net", "--allow-env", "--allow-read", entry],
    {
      cwd: options.projectDir,
      // Only what the function needs: none of this process's other secrets leak in.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? options.projectDir,
        DENO_DIR: join(options.projectDir, "node_modules", ".cache", "deno"),
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        // Lets the function keep Supabase's plain `Deno.serve(handler)` and still choose its address.
        DENO_SERVE_ADDRESS: `tcp:${options.listen ?? "127.0.0.1:0"}`,
        SUPABASE_URL: options.supabaseUrl,
        SUPABASE_SERVICE_ROLE_KEY: options.serviceRoleKey,
        ...options.secrets,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        const listening = /Listening on (http:\/\/[^\s/]+)/.exec(output);
        if (listening) resolve(listening[1] as string);
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`deno exited with ${code} before listening:\n${output}`)));
    });
    return {
      url,
      output: () => output,
      stop: async () => {
        if (child.exitCode === null) child.kill();
        await exited;
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}

/**
 * Runs a Supabase Edge Function as Supabase would, on this machine and without Docker: the real
 * stack of `startSupabaseStack()` (callhooks' migrations, then `sqlBefore`, then the project's
 * migrations), and the function served by `serveEdgeFunction`. More functions of the same project
 * can be served against the same stack with `serveEdgeFunction({ …, supabaseUrl: fn.stack.supabaseUrl })`.
 */
export async function startEdgeFunction(options: StartEdgeFunctionOptions): Promise<LocalEdgeFunction> {
  const stack = await startSupabaseStack({
    sql: [AUTH_USERS_STANDIN, ...(options.sqlBefore ?? []), ...projectMigrations(options.projectDir)],
  });
  try {
    const served = await serveEdgeFunction({ ...options, supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey });
    return {
      url: served.url,
      stack,
      db: createClient(stack.supabaseUrl, stack.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } }),
      output: served.output,
      stop: async () => {
        await served.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/**
 * `startEdgeFunction` for an end-to-end test: without PostgreSQL on this machine it prints one loud
 * line and resolves null (skip the suite), except under `CI=true`, where the tests must run.
 */
export async function startEdgeFunctionOrSkip(options: StartEdgeFunctionOptions): Promise<LocalEdgeFunction | null> {
  try {
    return await startEdgeFunction(options);
  } catch (error) {
    if (error instanceof PostgresUnavailableError && process.env.CI !== "true") {
      console.warn(`SKIPPING the ${options.name} end-to-end test: ${error.message}`);
      return null;
    }
    throw error;
  }
}
