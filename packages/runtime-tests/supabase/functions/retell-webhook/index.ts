// A Supabase Edge Function (Deno) receiving Retell webhooks, as a user would deploy it with
// `supabase functions deploy retell-webhook --no-verify-jwt` (Retell does not send a Supabase JWT).
// In production use @callhooks/storage-supabase; memory keeps this runnable anywhere.
import { createMemoryStorage } from "npm:@callhooks/storage-memory";
import { createRetellHandler } from "npm:@callhooks/webhook-core";

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void } | undefined;

const apiKey = Deno.env.get("RETELL_API_KEY");
if (!apiKey) throw new Error("Set the Retell key first: supabase secrets set RETELL_API_KEY=key_...");

const retell = createRetellHandler({
  apiKey,
  storage: createMemoryStorage(),
  on: {
    call_ended: ({ call }) => {
      console.log(`call ${call.call_id} ended: ${call.disconnection_reason ?? "unknown"}`);
    },
    call_inbound: ({ call_inbound }) => ({
      call_inbound: { dynamic_variables: { caller: call_inbound.from_number } },
    }),
  },
});

Deno.serve((request, info) =>
  retell.fetch(request, {
    remoteAddress: info.remoteAddr.hostname,
    // Supabase's runtime keeps the function alive for deferred work through EdgeRuntime.waitUntil.
    waitUntil: typeof EdgeRuntime === "undefined" ? undefined : (promise) => EdgeRuntime.waitUntil(promise),
  }),
);
