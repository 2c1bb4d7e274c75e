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

type Reply = { ready: true } | { running: true } | { status: number } | { done: true; runs: number };

describe.skipIf(!stack)("two receiver processes sharing one Supabase", () => {
  it("50 concurrent deliveries of one event, split over two OS processes, run the handler exactly once", async () => {
    const info = stack!;
    const apiKey = "key_two_processes";
    const callId = `call_two_processes_${Date.now().toString(36)}`;
    const body = retellBody(retellSample("call_ended", { callId })) as string;
    const headers = await signedRetellHeaders(body, { apiKey });
    const children = [startReceiver(), startReceiver()];
    try {
      const statuses: number[] = [];
      let ready = 0;
      let done = 0;
      let runs = 0;
      let holder: ChildProcess | undefined;
      const finished = new Promise<void>((resolve, reject) => {
        for (const child of children) {
          child.on("exit", (code) => code !== 0 && code !== null && reject(new Error(`receiver exited with ${code}`)));
          child.on("message", (reply: Reply) => {
            if ("ready" in reply && ++ready === children.length) for (const c of children) c.send({ deliveries: 25 });
            if ("running" in reply) holder = child;
            if ("status" in reply) statuses.push(reply.status);
            // Every delivery but the one holding the claim has been answered: let it finish.
            if (("running" in reply || "status" in reply) && holder && statuses.length === 49) holder.send({ release: true });
            if ("done" in reply) {
              runs += reply.runs;
              if (++done === children.length) resolve();
            }
          });
        }
      });
      for (const child of children)
        child.send({ start: { supabaseUrl: info.supabaseUrl, serviceRoleKey: info.serviceRoleKey, apiKey, headers, body } });
      await finished;

      expect(runs).toBe(1);
      expect(statuses).toHaveLength(50);
      // The 49 others met the claim in flight and were told to retry later; the holder answered 200.
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      expect(statuses.at(-1)).toBe(200);

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
