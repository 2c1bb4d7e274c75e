// A separate receiver process: its own supabase-js client, storage and Retell handler, as a second
// server (or Edge Function instance) would have. Driven by the parent over IPC.
import { createRetellHandler } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { createSupabaseStorage } from "../../src/index.js";

interface Go {
  supabaseUrl: string;
  serviceRoleKey: string;
  apiKey: string;
  deliveries: number;
  headers: Record<string, string>;
  body: string;
}

const send = (message: unknown) => process.send?.(message);

process.once("message", (start: Omit<Go, "deliveries">) => {
  let runs = 0;
  const client = createClient(start.supabaseUrl, start.serviceRoleKey, { auth: { persistSession: false } });
  const handler = createRetellHandler({
    apiKey: start.apiKey,
    storage: createSupabaseStorage({ client }),
    logger: { error: () => undefined, warn: () => undefined },
    on: {
      call_ended: async () => {
        runs++;
        // Long enough that the other deliveries arrive while it runs.
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    },
  });
  process.once("message", async (go: Pick<Go, "deliveries">) => {
    const results = await Promise.all(
      Array.from({ length: go.deliveries }, () => handler.handle({ method: "POST", headers: start.headers, body: start.body })),
    );
    send({ runs, statuses: results.map((r) => r.status) });
    process.disconnect?.();
  });
  send({ ready: true });
});
