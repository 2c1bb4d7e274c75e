import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const built = ["dist/index.cjs", "../webhook-core/dist/index.js", "../webhook-core/dist/index.cjs"];

/*
 * An app that loads this adapter through `require` and the core through `import` has two copies of
 * the core's error classes. The core recognises errors by a brand (`isWebhookError`), not by class,
 * so an error made by the adapter's copy keeps its status in the handler's copy: 413 here, where an
 * `instanceof` check would have answered 500 internal_error. Runs the built packages, as published.
 */
describe("the adapter as CommonJS beside the core as ESM", () => {
  it("answers a core error made by the other copy with its own status", async () => {
    const missing = built.filter((file) => !existsSync(new URL(`../${file}`, import.meta.url)));
    if (missing.length > 0) throw new Error(`Build first (pnpm build): missing ${missing.join(", ")}`);
    const { stdout } = await promisify(execFile)(process.execPath, ["test/fixtures/dual-package.mjs"], {
      cwd: packageDir,
      timeout: 30_000,
    });
    const result = JSON.parse(/^RESULT (.*)$/m.exec(stdout)?.[1] ?? "null");
    // Really two copies: the ESM and the CommonJS builds, with classes of their own.
    expect(result.copies.coreImported).toMatch(/webhook-core\/dist\/index\.js$/);
    expect(result.copies.coreRequired).toMatch(/webhook-core[\\/]dist[\\/]index\.cjs$/);
    expect(result.copies.adapterRequired).toMatch(/adapter-express[\\/]dist[\\/]index\.cjs$/);
    expect(result.copies.sameClass).toBe(false);
    expect(result.oversized).toEqual({ status: 413, body: { error: "payload_too_large", details: expect.stringContaining("1024 bytes") } });
    expect(result.signed).toEqual({ status: 200, body: { status: "processed", event_id: null } });
  });
});
