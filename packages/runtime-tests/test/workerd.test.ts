import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKey, buildJob } from "./job.js";
import { assertBuilt, expectRoundTrip, fixture, packageDir } from "./runtimes.js";
import { sign } from "retell-sdk";

let script: string;
let job: Awaited<ReturnType<typeof buildJob>>;

beforeAll(async () => {
  assertBuilt();
  job = await buildJob();
  // Bundled as wrangler does: the packages resolve through node_modules to their dist/.
  const bundle = await build({
    entryPoints: ["probe/worker.mjs"],
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
  script = bundle.outputFiles[0]?.text ?? "";
});

function worker(compatibilityFlags: string[]): Miniflare {
  return new Miniflare({
    // Declared rather than discovered: Miniflare's import scanner refuses the core's computed
    // import("node:crypto"), which workerd itself handles (it fails without nodejs_compat).
    modules: [{ type: "ESModule", path: "worker.mjs", contents: script }],
    compatibilityDate: "2025-09-01",
    compatibilityFlags,
    bindings: { RETELL_API_KEY: apiKey },
  });
}

describe.each([
  { name: "workerd without nodejs_compat", flags: [], hmac: "webcrypto" },
  { name: "workerd with nodejs_compat", flags: ["nodejs_compat"], hmac: "node" },
])("$name", ({ flags, hmac }) => {
  let mf: Miniflare;
  beforeAll(() => {
    mf = worker(flags);
  });
  afterAll(() => mf?.dispose());

  it(`verifies, deduplicates and answers through handler.fetch, picking ${hmac} crypto by itself`, async () => {
    const response = await mf.dispatchFetch("http://worker.test/probe", { method: "POST", body: JSON.stringify(job) });
    const result = (await response.json()) as Record<string, unknown>;
    expect(result.runtime).toBe("workerd");
    expect(result.hmac).toBe(hmac);
    expectRoundTrip(result, job);
  });
});

describe("Hono on workerd, the secret read from bindings with env(c)", () => {
  let mf: Miniflare;
  beforeAll(() => {
    mf = worker([]);
  });
  afterAll(() => mf?.dispose());

  it("verifies real deliveries and builds the handler once per isolate", async () => {
    const body = fixture("call_ended.phone.json");
    const deliver = async (key: string) =>
      mf.dispatchFetch("http://worker.test/hono/retell", {
        method: "POST",
        headers: { "content-type": "application/json", "x-retell-signature": await sign(body.toString("utf8"), key) },
        body,
      });
    const statuses = [(await deliver(apiKey)).status, (await deliver(apiKey)).status, (await deliver("key_forger")).status];
    expect(statuses).toEqual([200, 200, 401]);
    const state = await (await mf.dispatchFetch("http://worker.test/hono/state")).json();
    expect(state).toEqual({ built: 1, seen: [job.callId] });
  });
});
