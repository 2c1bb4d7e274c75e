import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { SupabaseStackInfo } from "../src/testing/index.js";
import { startSupabaseStack } from "../src/testing/index.js";
import { findServerBin, tcpAnswers } from "../src/testing/postgres.js";
import { waitFor } from "../src/testing/ports.js";
import { serviceClient, stack } from "./helpers.js";
import { sql } from "./sql.js";

const isCi = /^(1|true)$/i.test(process.env.CI ?? "");

describe.skipIf(!stack)("the test stack's gateway behaves like Supabase's", () => {
  const info = stack!;
  const rest = (path: string, headers: Record<string, string> = {}) => fetch(`${info.supabaseUrl}${path}`, { headers });

  it("refuses requests without a key or with an unknown one, as Kong does", async () => {
    const none = await rest("/rest/v1/callhooks_events");
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: "No API key found in request" });
    const wrong = await rest("/rest/v1/callhooks_events", { apikey: "sb_secret_nope" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: "Invalid API key" });
  });

  it("serves only /rest/v1", async () => {
    expect((await rest("/auth/v1/settings", { apikey: info.anonKey })).status).toBe(404);
  });

  it("accepts the new-style secret key wherever the service role key works", async () => {
    const { data, error } = await serviceClient(info, info.secretKey).rpc("callhooks_count_events", { p_provider: "none" });
    expect(error).toBeNull();
    expect(data).toEqual({ pending: 0, processing: 0, processed: 0, failed: 0, dead: 0, quarantined: 0 });
  });
});

describe.skipIf(!stack)("each stack is its own, and stop() leaves nothing behind", () => {
  it("on a shared server: its own database, dropped at stop", async () => {
    const own = await startSupabaseStack({ migrate: false, databaseUrl: stack!.ownsDatabaseServer ? null : undefined });
    const name = new URL(own.databaseUrl).pathname.slice(1);
    expect(name).not.toBe(new URL(stack!.databaseUrl).pathname.slice(1));
    expect((await own.sql("select current_database()")).trim()).toBe(name);
    await own.stop();
    await expect(fetch(`${own.supabaseUrl}/rest/v1/`)).rejects.toThrow();
    if (!own.ownsDatabaseServer) {
      expect((await sql(stack!, `select count(*) from pg_database where datname = '${name}'`)).trim()).toBe("0");
    }
  });

  it.skipIf(!findServerBin() && !isCi)(
    "with a private cluster: PostgreSQL stops and starts on demand, and is gone after stop",
    async () => {
      const own = await startSupabaseStack({ databaseUrl: null, migrate: false });
      const port = Number(new URL(own.databaseUrl).port);
      expect(own.ownsDatabaseServer).toBe(true);
      await own.stopDatabase();
      expect(await tcpAnswers("127.0.0.1", port)).toBe(false);
      await own.startDatabase();
      expect((await own.sql("select 1")).trim()).toBe("1");
      await own.stop();
      expect(await tcpAnswers("127.0.0.1", port)).toBe(false);
    },
  );
});

describe.skipIf(!stack)("a stack whose owner is killed", () => {
  it("is cleaned up by its reaper: processes stopped, database dropped", async () => {
    const packageDir = fileURLToPath(new URL("..", import.meta.url));
    const servers: Array<string | null> = [];
    if (findServerBin()) servers.push(null);
    if (!stack!.ownsDatabaseServer) servers.push(adminUrl(stack!));
    const child = fork(fileURLToPath(new URL("./processes/orphan.ts", import.meta.url)), [JSON.stringify(servers)], {
      cwd: packageDir,
      execArgv: ["--import", "tsx"],
      env: { ...process.env, TSX_TSCONFIG_PATH: `${packageDir}/tsconfig.json` },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const infos = await new Promise<SupabaseStackInfo[]>((resolve, reject) => {
      child.once("message", (message) => resolve(message as SupabaseStackInfo[]));
      child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
    });
    child.kill("SIGKILL");
    for (const info of infos) {
      await waitFor("PostgREST to stop", 10_000, async () => !(await tcpAnswers("127.0.0.1", Number(new URL(info.postgrestUrl).port))));
      if (info.ownsDatabaseServer) {
        await waitFor("PostgreSQL to stop", 10_000, async () => !(await tcpAnswers("127.0.0.1", Number(new URL(info.databaseUrl).port))));
      } else {
        const name = new URL(info.databaseUrl).pathname.slice(1);
        await waitFor(
          "the database to be dropped",
          10_000,
          async () => (await sql(stack!, `select count(*) from pg_database where datname = '${name}'`)).trim() === "0",
        );
      }
    }
    expect(infos.length).toBeGreaterThan(0);
  });
});

/** The shared stack's server, at its maintenance database. */
function adminUrl(info: SupabaseStackInfo): string {
  const url = new URL(info.databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}
