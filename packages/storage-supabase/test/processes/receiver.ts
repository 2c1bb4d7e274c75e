// A separate receiver process: its own supabase-js client, storage and Retell handler, as a second
// server (or Edge Function instance) would have. Driven by the parent over IPC: the handler, once it
// runs, holds its claim until the parent releases it, so every other delivery meets it in flight.
import { createRetellHandler } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { createSupabaseStorage } from "../../src/index.js";

interface Start {
  supabaseUrl: string;
  serviceRoleKey: string;
  apiKey: string;
  headers: Record<string, string>;
  body: string;
}
type Message = { start: Start } | { deliveries: number } | { release: true };

const send = (message: unknown) => process.send?.(message);
let release!: () => void;
const released = new Promise<void>((resolve) => {
  release = resolve;
});
let handler: ReturnType<typeof createRetellHandler> | undefined;
let start: Start | undefined;
let runs = 0;

process.on("message", async (message: Message) => {
  if ("release" in message) release();
  if ("start" in message) {
    start = message.start;
    const client = createClient(start.supabaseUrl, start.serviceRoleKey, { auth: { persistSession: false } });
    handler = createRetellHandler({
      apiKey: start.apiKey,
      storage: createSupabaseStorage({ client }),
      logger: { error: () => undefined, warn: () => undefined },
      on: {
        call_ended: async () => {
          runs++;
          send({ running: true });
          await released;
        },
      },
    });
    send({ ready: true });
  }
  if ("deliveries" in message && handler && start) {
    const { headers, body } = start;
    const h = handler;
    await Promise.all(
      Array.from({ length: message.deliveries }, () =>
        h.handle({ method: "POST", headers, body }).then((result) => send({ status: result.status })),
      ),
    );
    send({ done: true, runs });
    process.disconnect?.();
  }
});
