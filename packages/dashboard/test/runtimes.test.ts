import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerProcess, startServerProcess } from "@callhooks/test-support";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, describe, expect, it } from "vitest";

/*
 * The built console (dist/) as it is on Bun's and Deno's own servers and on workerd (Cloudflare
 * Workers), each from the npm registry: pages behind auth, assets from the package, text escaped.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const root = (name: string) => dirname(require.resolve(`${name}/package.json`));
const auth = `Basic ${btoa("ops:runtime-probe-password")}`;

async function expectConsole(get: (path: string, headers?: Record<string, string>) => Promise<Response>) {
  expect((await get("/console/")).status).toBe(401);
  const inbox = await get("/console/", { authorization: auth });
  const page = await inbox.text();
  expect([inbox.status, inbox.headers.get("content-security-policy")?.includes("script-src 'self'")]).toEqual([200, true]);
  expect(page).toContain("call_runtime_probe");
  const id = /<tr data-id="([0-9a-f-]{36})"/.exec(page)?.[1];
  const event = await (await get(`/console/events/${id}`, { authorization: auth })).text();
  expect(event).toContain("&lt;b&gt;stays text&lt;/b&gt;");
  const script = await get("/console/assets/dashboard.js", { authorization: auth });
  expect([script.status, script.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
}

const distBuilt = existsSync(join(packageDir, "dist", "index.js"));
if (!distBuilt && process.env.CI === "true") throw new Error("packages/dashboard/dist is missing: npm test builds it first.");

describe.skipIf(!distBuilt)("the built console on other runtimes, as it is", () => {
  const runtimes = [
    { name: "Bun (Bun.serve)", bin: join(root("bun"), "bin", "bun.exe"), args: ["test/probe/serve.mjs"] },
    {
      name: "Deno (Deno.serve)",
      bin: join(root("deno"), "deno"),
      args: ["run", "--allow-net", "--allow-env", "--allow-read", "test/probe/serve.mjs"],
    },
  ];
  const servers: ServerProcess[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  for (const runtime of runtimes) {
    it.skipIf(!existsSync(runtime.bin) && process.env.CI !== "true")(runtime.name, async () => {
      const server = await startServerProcess({
        command: runtime.bin,
        args: runtime.args,
        cwd: packageDir,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? packageDir,
          NO_COLOR: "1",
          DENO_NO_UPDATE_CHECK: "1",
          DENO_DIR: join(packageDir, "node_modules", ".cache", "deno"),
        },
        listening: /listening on (\d+)/,
        name: runtime.name,
      });
      servers.push(server);
      await expectConsole((path, headers = {}) => fetch(`${server.url}${path}`, { headers }));
    });
  }

  it("Cloudflare Workers (workerd, bundled as wrangler does)", async () => {
    const bundle = await build({
      entryPoints: ["test/probe/worker.mjs"],
      absWorkingDir: packageDir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      target: "es2022",
      logLevel: "silent",
    });
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: "worker.mjs", contents: bundle.outputFiles[0]?.text ?? "" }],
      compatibilityDate: "2025-09-01",
    });
    try {
      await expectConsole(
        (path, headers = {}) => mf.dispatchFetch(`http://worker.test${path}`, { headers }) as unknown as Promise<Response>,
      );
    } finally {
      await mf.dispose();
    }
  });
});
