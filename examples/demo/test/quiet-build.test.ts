import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const quiet = (...args: string[]) =>
  promisify(execFile)(process.execPath, ["scripts/quiet.mjs", ...args], { cwd: root }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
const printLines = (count: number, exit: number) =>
  `for (let i = 1; i <= ${count}; i++) console.log("build line " + i); process.exit(${exit});`;

describe("npm run demo", () => {
  it("builds through scripts/quiet.mjs, so its first lines are the demo's, not the build's", () => {
    const { scripts } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
    expect(scripts["demo:run"]).toMatch(/^node scripts\/quiet\.mjs "building the packages" pnpm run build && /);
  });

  it("prints one line for a build step that succeeds, whatever it printed", async () => {
    const result = await quiet("building the packages", process.execPath, "-e", printLines(200, 0));
    expect(result).toEqual({ code: 0, stdout: "", stderr: "building the packages…\n" });
  });

  it("shows the whole output of a step that fails, and its exit status", async () => {
    const result = await quiet("building the packages", process.execPath, "-e", printLines(3, 7));
    expect(result.code).toBe(7);
    expect(result.stdout).toBe("build line 1\nbuild line 2\nbuild line 3\n");
    expect(result.stderr).toContain("building the packages failed (exit 7); its output is above.");
  });
});
