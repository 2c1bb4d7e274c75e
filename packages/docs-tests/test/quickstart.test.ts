import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/readme-blocks.ts";

/*
 * The root README's quick start, as a new user meets it: the packages packed as npm would publish
 * them, installed with npm into a fresh `npm init -y` project (CommonJS by default) outside the
 * workspace, and the quick start pasted into the file it names and run with node.
 */
const exec = promisify(execFile);
const PACKAGES = ["webhook-core", "storage-memory", "cli"];
let work: string;
let app: string;
let installed: { ok: true } | { ok: false; why: string };

function quickStart(): { file: string; code: string } {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const file = code && /^\/\/ (\S+\.m?ts)\b/.exec(code)?.[1];
  if (!code || !file) throw new Error("The quick start must be a ```ts block whose first line names its file: // quickstart.mts …");
  return { file, code };
}

beforeAll(async () => {
  for (const dir of PACKAGES) {
    if (!existsSync(join(repoRoot, "packages", dir, "dist"))) throw new Error(`Build first (pnpm build): packages/${dir}/dist is missing`);
  }
  work = mkdtempSync(join(tmpdir(), "callhooks-quickstart-"));
  app = join(work, "app");
  mkdirSync(app);
  for (const dir of PACKAGES) await exec("pnpm", ["pack", "--pack-destination", work], { cwd: join(repoRoot, "packages", dir) });
  await exec("npm", ["init", "-y"], { cwd: app });
  const zod = JSON.parse(readFileSync(join(repoRoot, "node_modules", "zod", "package.json"), "utf8")).version;
  const tarballs = readdirSync(work)
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => join(work, name));
  try {
    await exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, `zod@${zod}`], {
      cwd: app,
      timeout: 150_000,
    });
    installed = { ok: true };
  } catch (error) {
    const why = String((error as { stderr?: string }).stderr ?? error);
    // Without the npm registry nothing can be installed; in CI that is a failure, not a skip.
    if (process.env.CI === "true" || !/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(why)) throw error;
    installed = { ok: false, why: why.split("\n")[0] ?? why };
  }
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the README quick start, in a fresh CommonJS-default npm project", () => {
  it("runs as the file it names and shows the event handled once, then recognised as a duplicate", async (context) => {
    if (!installed.ok) return context.skip(`npm registry unreachable: ${installed.why}`);
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    expect(pkg.type ?? "commonjs").toBe("commonjs");
    const { file, code } = quickStart();
    writeFileSync(join(app, file), code);
    const { RETELL_API_KEY: _unset, ...env } = process.env;
    const { stdout } = await exec(process.execPath, [file], { cwd: app, env });
    const lines = stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("call ended: "))).toHaveLength(1);
    expect(stdout).toMatch(/^first: 200 \{"status":"processed","event_id":"[0-9a-f-]{36}"\}$/m);
    expect(stdout).toMatch(/^again: 200 \{"status":"duplicate","event_id":"[0-9a-f-]{36}"\}$/m);
  });

  it("installs the CLI without Supabase: send works, events says what to add", async (context) => {
    if (!installed.ok) return context.skip(`npm registry unreachable: ${installed.why}`);
    expect(existsSync(join(app, "node_modules", "@supabase", "supabase-js"))).toBe(false);
    const bin = join(app, "node_modules", ".bin", "callhooks");
    const list = await exec(bin, ["send", "--list"], { cwd: app });
    expect(list.stdout).toContain("call_ended");
    const events = await exec(bin, ["events", "--supabase-url", "http://127.0.0.1:9", "--service-key", "key"], { cwd: app }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(events.code).toBe(2);
    expect(events.stderr).toContain("npm install @callhooks/storage-supabase @supabase/supabase-js");
  });
});
