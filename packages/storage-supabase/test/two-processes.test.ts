import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { retellBody, retellSample, signedRetellHeaders } from "@callhooks/webhook-core/testing";
import { describe, expect, it } from "vitest";
import { stack, storageFor } from "./helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const receiverScript = fileURLToPath(new URL("./processes/receiver.ts", import.meta.url));

function startReceiver(): ChildProcess {
  return fork(receiverScript, [], {
    cwd: packageDir,
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TSX_TSCONFIG_PATH: `${packageDir}/tsconfig.json` },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

const next = <T>(child: ChildProcess) =>
  new Promise<T>((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
  });

describe.skipIf(!stack)("two receiver processes sharing one Supabase", () => {
  it("50 concurrent deliveries of one event, split over two OS processes, run the handler exactly once", async () => {
    const info = stack!;
    const apiKey = "key_two_processes";
    const callId = `call_two_processes_${Date.now().toString(36)}`;
    const body = retellBody(retellSample("call_ended", { callId })) as string;
    const headers = await signedRetellHeaders(body, { apiKey });
    const children = [startReceiver(), startReceiver()];
    try {
      const ready = children.map((child) => next<{ ready: true }>(child));
      for (const child of children) child.send({ supabaseUrl: info.supabaseUrl, serviceRoleKey: info.serviceRoleKey, apiKey, headers, body });
      await Promise.all(ready);
      const done = children.map((child) => next<{ runs: number; statuses: number[] }>(child));
      for (const child of children) child.send({ deliveries: 25 });
      const results = await Promise.all(done);

      expect(results.reduce((sum, r) => sum + r.runs, 0)).toBe(1);
      const statuses = results.flatMap((r) => r.statuses);
      expect(statuses).toHaveLength(50);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      // Everyone else was told "in flight, retry later" (409) or, once it was done, "duplicate" (200).
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);

      const storage = storageFor(info);
      const [event] = await storage.listEvents({ provider: "retell", callId });
      expect(event).toMatchObject({ status: "processed", attempts: 1 });
      expect(await storage.listEvents({ provider: "retell", callId })).toHaveLength(1);
      expect((await storage.getCall("retell", callId))?.eventTypes).toEqual(["call_ended"]);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });
});
