// The console from dist/, over storage-memory with one stored event: what each runtime serves.
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createDashboard } from "../../dist/index.js";

export const credentials = { username: "ops", password: "runtime-probe-password" };

export async function probeDashboard() {
  const storage = createMemoryStorage();
  await storage.claim({
    event: {
      provider: "retell",
      key: "k",
      type: "call_ended",
      callId: "call_runtime_probe",
      orgId: null,
      payload: { note: "<b>stays text</b>" },
      receivedAt: Date.now(),
    },
    records: [],
    mode: "complete",
    leaseMs: 1000,
    now: Date.now(),
  });
  return createDashboard({ storage, auth: credentials, basePath: "/console" });
}
