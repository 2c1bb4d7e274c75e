// A worker process for the two-worker test: its own OS process, its own supabase-js client, the
// same Supabase tables. Prints one line per handler run, and its stats when stopped by SIGTERM.
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { createRetellHandler, startWorker } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const client = createClient(env("SUPABASE_URL"), env("SUPABASE_SERVICE_ROLE_KEY"), {
  auth: { persistSession: false, autoRefreshToken: false },
});
const storage = createSupabaseStorage({ client, schema: env("CALLHOOKS_SCHEMA") });
const say = (line: string) => process.stdout.write(`${line}\n`);

const handler = createRetellHandler({
  apiKey: "unused-by-workers",
  storage,
  logger: {},
  on: {
    call_started: async (_event, context) => {
      // Hold the slot a moment, as real work would, so the other worker has its share to claim.
      await new Promise((resolve) => setTimeout(resolve, 5));
      say(`ran ${context.eventId} ${context.attempt}`);
    },
  },
});

let ready = false;
const worker = startWorker({
  storage,
  handlers: handler,
  concurrency: 4,
  pollIntervalMs: 20,
  observe: (observation) => {
    if (observation.kind === "idle" && !ready) {
      ready = true;
      say("ready");
    }
    if (observation.kind === "error") say(`error ${observation.reason}`);
  },
});

process.once("SIGTERM", async () => {
  await worker.stop();
  say(`stats ${JSON.stringify(worker.stats())}`);
  process.exit(0);
});
