import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("..", import.meta.url));

it("runs the demo end to end: every step answered as expected, one record per call", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  expect(stdout).toContain("All steps behaved as expected.");
  expect(stdout).not.toContain("✗");
  expect(stdout).toMatch(/call_ended again \(a retry\)\s+200\s+\{"status":"duplicate"/);
  expect(stdout).toMatch(/forged signature \(wrong API key\)\s+401/);
  expect(stdout).toMatch(/MightyCall Echo URL check\s+200/);
  expect(stdout).toMatch(/status: 'completed'/);
  expect(stdout).toContain("✓ the console lists the deliveries, behind its password");
  expect(stdout).toMatch(/The callhooks console: http:\/\/127\.0\.0\.1:\d+\/callhooks\/ +\(user demo, password \S+\)/);
}, 60_000);
