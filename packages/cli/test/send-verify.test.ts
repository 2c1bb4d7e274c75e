import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createMightyCallHandler, createRetellHandler, RETELL_SIGNATURE_HEADER, signRetellPayload } from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/testing";
import { runCli, sharedFixtures, startServer } from "./helpers.ts";

const API_KEY = "key_cli_test_0123456789abcdef";
const PUSH_SECRET = "mc_push_secret_0123456789";
const NATIVE_KEY = "mc_native_key_0123456789";
const ANSI = "\u001b["; // an escape sequence: colour

const storage = createMemoryStorage();
const seen: string[] = [];
let server: Awaited<ReturnType<typeof startServer>>;
let dir: string;

beforeAll(async () => {
  const retell = createRetellHandler({
    apiKey: API_KEY,
    storage,
    logger: {},
    on: {
      call_ended: async (event) => {
        seen.push(event.call.call_id);
      },
    },
  });
  const mightycall = createMightyCallHandler({
    push: { secret: PUSH_SECRET },
    native: { apiKey: NATIVE_KEY, orgId: "org_cli" },
    storage,
    logger: {},
  });
  server = await startServer({ "/retell": retell, "/mightycall": mightycall });
  dir = mkdtempSync(join(tmpdir(), "callhooks-cli-"));
  for (const name of ["call_started.phone.json", "call_ended.phone.json", "call_analyzed.phone.json", "transcript_updated.json"]) {
    copyFileSync(join(sharedFixtures, "retell", name), join(dir, name));
  }
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("callhooks send", () => {
  it("signs a built-in sample; the real handler verifies it, answers 200, and the CLI exits 0", async () => {
    const run = await runCli(["send", "call_ended", "--call-id", "call_cli_1", "--url", `${server.url}/retell`, "--api-key", API_KEY]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ 200 call_ended \d+ ms/m);
    expect(run.stdout).toContain('"status": "processed"');
    expect(seen).toContain("call_cli_1");
    expect(await storage.listEvents({ callId: "call_cli_1" })).toEqual([
      expect.objectContaining({ status: "processed", type: "call_ended" }),
    ]);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
    expect(run.stdout).not.toContain(ANSI); // not a terminal
  });

  it("--bad-signature: the handler answers 401 and the CLI exits 1 (0 with --expect 401); nothing is stored", async () => {
    const before = (await storage.listEvents({ limit: 1000 })).length;
    const forged = await runCli(["send", "call_started", "--call-id", "call_forged", "--bad-signature", "--url", `${server.url}/retell`]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/^✗ 401 call_started \(forged\)/m);
    expect(forged.stdout).toContain("invalid_signature");
    const expected = await runCli(["send", "call_started", "--bad-signature", "--expect", "401", "--url", `${server.url}/retell`]);
    expect(expected.code).toBe(0);
    expect((await storage.listEvents({ limit: 1000 })).length).toBe(before);
  });

  it("sends a directory of fixtures byte for byte, with progress, and a summary", async () => {
    const run = await runCli(["send", dir, "--url", `${server.url}/retell`], { env: { RETELL_API_KEY: API_KEY } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[4\/4\] ✓ 200 .*transcript_updated\.json/);
    expect(run.stdout).toContain("4 sent, all answered 2xx.");
    expect(run.stderr).toContain("sending 4/4");
    expect(await storage.getCall("retell", "call_4c6f1e9a2b7d3f8e0a5c1d2b9e7")).toMatchObject({ fields: { status: "ended" } });
  });

  it("--quiet prints only what went wrong, and --json one object per answer", async () => {
    const quiet = await runCli(["send", "call_started", "chat_started", "--quiet", "--url", `${server.url}/retell`, "--api-key", API_KEY]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.trim()).toBe("2 sent, all answered 2xx.");
    const json = await runCli(["send", "call_started", "--json", "--url", `${server.url}/retell`, "--api-key", API_KEY]);
    expect(JSON.parse(json.stdout)).toMatchObject({ event: "call_started", provider: "retell", status: 200, ok: true });
  });

  it("sends MightyCall push (Bearer) and native (ApiKey in the body) events, genuine and forged", async () => {
    const url = `${server.url}/mightycall`;
    const push = await runCli(["send", "call.completed", "--url", url], { env: { MIGHTYCALL_WEBHOOK_SECRET: PUSH_SECRET } });
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/✓ 200 call\.completed/);
    const native = await runCli(["send", "IncomingCallCompleted", "--url", url, "--api-key", NATIVE_KEY]);
    expect(native.code).toBe(0);
    const fixture = await runCli([
      "send",
      join(sharedFixtures, "mightycall/native/05-incoming-call-completed.json"),
      "--url",
      url,
      "--api-key",
      NATIVE_KEY,
    ]);
    expect(fixture.stdout).toMatch(/✓ 2\d\d 05-incoming-call-completed\.json/);
    for (const event of ["sms.received", "IncomingCall"]) {
      const forged = await runCli(["send", event, "--bad-signature", "--url", url]);
      expect(forged.code).toBe(1);
      expect(forged.stdout).toMatch(/✗ 401/);
    }
    expect(push.stdout + native.stdout).not.toContain(PUSH_SECRET);
  });

  it("takes either credential flag for either MightyCall format, as push takes --api-key so native takes --secret", async () => {
    const url = `${server.url}/mightycall`;
    const native = await runCli(["send", "IncomingCallCompleted", "--url", url, "--secret", NATIVE_KEY]);
    expect(native.stdout).toMatch(/✓ 200 IncomingCallCompleted/);
    const push = await runCli(["send", "call.completed", "--url", url, "--api-key", PUSH_SECRET]);
    expect(push.stdout).toMatch(/✓ 200 call\.completed/);
    expect(native.stdout + push.stdout).not.toContain(NATIVE_KEY);
  });

  it("never prints a key, even when the server echoes it back", async () => {
    const run = await runCli(["send", "call.completed", "--secret", PUSH_SECRET, "--url", `${server.url}/echo`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"authorization": "Bearer [redacted]"');
    expect(run.stdout).not.toContain(PUSH_SECRET);
  });

  it("colours only a terminal or FORCE_COLOR, and never with NO_COLOR", async () => {
    const args = ["send", "call_started", "--url", `${server.url}/retell`, "--api-key", API_KEY];
    expect((await runCli(args, { env: { FORCE_COLOR: "1" } })).stdout).toContain(ANSI);
    expect((await runCli(args, { env: { NO_COLOR: "1" } })).stdout).not.toContain(ANSI);
  });

  it("exits 1 when the endpoint cannot be reached, and 2 on a usage error", async () => {
    const closed = await startServer({});
    await closed.close();
    const unreachable = await runCli(["send", "call_started", "--url", closed.url, "--api-key", API_KEY]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/✗ no answer call_started/);
    expect(unreachable.stdout).toContain("ECONNREFUSED");
    const unknown = await runCli(["send", "call_paused", "--url", server.url, "--api-key", API_KEY]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("neither a file nor a built-in");
    expect((await runCli(["send", "call_started", "--api-key", API_KEY])).stderr).toContain("--url");
    expect((await runCli(["send", "call_started", "--url", server.url])).stderr).toContain("RETELL_API_KEY");
  });
});

describe("callhooks verify", () => {
  const body = JSON.stringify(retellSample("call_analyzed"));
  const bodyFile = () => {
    const path = join(dir, "body.json");
    writeFileSync(path, body);
    return path;
  };

  it("accepts a genuine signature, from a file or stdin", async () => {
    const signature = await signRetellPayload(body, API_KEY);
    const fromFile = await runCli(["verify", bodyFile(), "--signature", signature, "--api-key", API_KEY]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^✓ valid signature/);
    const fromStdin = await runCli(["verify", "--signature", signature], { stdin: body, env: { RETELL_API_KEY: API_KEY } });
    expect(fromStdin.code).toBe(0);
    expect(fromFile.stdout + fromStdin.stdout).not.toContain(API_KEY);
  });

  it("says why a signature fails: a re-serialised body, a wrong key, a stale or malformed header", async () => {
    const signature = await signRetellPayload(body, API_KEY);
    const pretty = await runCli(["verify", "--signature", signature, "--api-key", API_KEY], {
      stdin: JSON.stringify(JSON.parse(body), null, 2),
    });
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toContain("✗ invalid signature: signature_mismatch");
    expect(pretty.stdout).toContain("JSON.stringify(req.body)");
    // The mismatch is explained once: the key and the bytes, each named a single time.
    expect(pretty.stdout.match(/webhook badge/g)).toHaveLength(1);
    expect(pretty.stdout.match(/JSON\.stringify/g)).toHaveLength(1);
    const wrongKey = await runCli(["verify", "--signature", signature, "--api-key", "another_key_123456"], { stdin: body });
    expect(wrongKey.stdout).toContain("signature_mismatch");
    expect(wrongKey.stdout).not.toContain("another_key_123456");

    const capturedAt = Date.UTC(2026, 0, 1, 12);
    const old = await signRetellPayload(body, API_KEY, { timestamp: capturedAt });
    const stale = await runCli(["verify", "--signature", old, "--api-key", API_KEY], { stdin: body });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("timestamp_out_of_range");
    expect(stale.stdout).toContain("--now");
    expect(stale.stdout).toContain("signed at 2026-01-01T12:00:00.000Z");
    const asOfThen = await runCli(["verify", "--signature", old, "--api-key", API_KEY, "--now", "2026-01-01T12:00:30Z"], { stdin: body });
    expect(asOfThen.code).toBe(0);

    const malformed = await runCli(["verify", "--signature", "sha256=abc", "--api-key", API_KEY], { stdin: body });
    expect(malformed.stdout).toContain("malformed_signature");
    const missing = await runCli(["verify", "--api-key", API_KEY], { stdin: body });
    expect(missing.stdout).toContain("missing_signature");
    expect((await runCli(["verify", "--signature", signature], { stdin: body })).code).toBe(2);
    expect(RETELL_SIGNATURE_HEADER).toBe("x-retell-signature");
  });
});

describe("--help", () => {
  it("is complete for every command, and the main help names them all", async () => {
    const main = await runCli(["--help"]);
    expect(main.code).toBe(0);
    for (const command of ["send", "verify", "events", "replay"]) {
      expect(main.stdout).toContain(`  ${command} `);
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: callhooks ${command} `));
      expect(help.stdout).toContain("Exit status");
      expect(help.stdout).toContain("Examples:");
    }
    expect((await runCli(["replay", "--help"])).stdout).toContain("cannot run your handlers");
    expect((await runCli(["help", "verify"])).stdout).toMatch(/^Usage: callhooks verify/);
    const unknown = await runCli(["deploy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "deploy"');
    expect((await runCli(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
