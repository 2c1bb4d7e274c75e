import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob } from "./job.js";
import { assertBuilt, expectRoundTrip, missing, resultOf, run, runtimes } from "./runtimes.js";

let jobDir: string;
let jobFile: string;
let job: Awaited<ReturnType<typeof buildJob>>;

beforeAll(async () => {
  assertBuilt();
  job = await buildJob();
  jobDir = mkdtempSync(join(tmpdir(), "callhooks-runtimes-"));
  jobFile = join(jobDir, "job.json");
  writeFileSync(jobFile, JSON.stringify(job));
});
afterAll(() => rmSync(jobDir, { recursive: true, force: true }));

describe.each(Object.values(runtimes))("$name", (runtime) => {
  const skip = missing(runtime);

  it.skipIf(skip)("verifies, deduplicates and answers through handler.fetch with the built packages", async () => {
    const result = resultOf(await run(runtime.bin, [...runtime.args, "probe/cli.mjs", jobFile]));
    expect(result.runtime).toMatch(runtime.version);
    // node:crypto is present in all three; the probe also forces WebCrypto.
    expect(result.hmac).toBe("node");
    expectRoundTrip(result, job);
  });
});

describe.each([runtimes.node22, runtimes.node24])("$name, CommonJS", (runtime) => {
  it.skipIf(missing(runtime))("loads the CJS builds with require()", async () => {
    const result = resultOf(await run(runtime.bin, ["probe/require.cjs"]));
    expect(result).toEqual({ status: 200, resolved: expect.stringMatching(/webhook-core[\\/]dist[\\/]index\.cjs$/) });
  });
});
