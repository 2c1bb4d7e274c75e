// Supabase Edge Function: Retell AI webhooks for a campaign dialer (see ../../../README.md), at the
// URL Retell dashboards already point at: …/functions/v1/retell-webhook. Deploy with
// `supabase functions deploy retell-webhook --no-verify-jwt`: Retell signs its requests (checked
// below) but sends no Supabase JWT.
import { createDashboard } from "@callhooks/dashboard";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { createRetellHandler, createWorkerEndpoint } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { campaignHandlers } from "./campaigns.ts";
import { withCors } from "./cors.ts";
import { answerInbound } from "./inbound.ts";

function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set (supabase secrets set ${name}=...)`);
  return value;
}

// SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set by Supabase in every Edge Function.
const db = createClient(env("SUPABASE_URL"), env("SUPABASE_SERVICE_ROLE_KEY"), {
  auth: { persistSession: false, autoRefreshToken: false },
});

// Deferred by default: Retell waits 10 s for an answer, so each event is recorded, answered 202 at
// once and processed right after (EdgeRuntime.waitUntil keeps the instance alive for it); call_inbound
// is still answered with its routing. What an instance leaves unfinished when it dies is completed by
// the scheduled sweep below. CALLHOOKS_MODE=sync processes before answering instead.
const mode = Deno.env.get("CALLHOOKS_MODE") ?? "deferred";
if (mode !== "sync" && mode !== "deferred") throw new Error(`CALLHOOKS_MODE must be sync or deferred, not ${mode}`);

const storage = createSupabaseStorage({ client: db }); // the inbox, exactly-once claims, merged call records
const retell = createRetellHandler({
  apiKey: env("RETELL_API_KEY"), // the Retell API key with the "webhook" badge
  storage,
  mode,
  on: {
    ...campaignHandlers(db),
    call_inbound: (event, { key }) => answerInbound(db, event, key),
  },
});

// …/functions/v1/retell-webhook/worker: what pg_cron's sweep POSTs to (see the README), with the secret.
const workerSecret = Deno.env.get("CALLHOOKS_WORKER_SECRET");
const sweep = workerSecret ? createWorkerEndpoint({ storage, handlers: [retell], secret: workerSecret }) : undefined;

// The callhooks console at …/functions/v1/retell-webhook/console/ (the function sees its own name
// first in the path), behind HTTP Basic with the DASHBOARD_PASSWORD secret; off while it is unset.
// Replay runs events with the handler above. Not behind withCors: no other site may call it.
const dashboardPassword = Deno.env.get("DASHBOARD_PASSWORD");
const dashboard = dashboardPassword
  ? createDashboard({
      storage,
      handlers: retell,
      auth: { username: Deno.env.get("DASHBOARD_USER") ?? "admin", password: dashboardPassword },
      basePath: "/retell-webhook/console",
    })
  : undefined;
const webhooks = withCors((request) => retell.fetch(request));

Deno.serve((request) => {
  const path = new URL(request.url).pathname;
  if (dashboard && path.startsWith(dashboard.basePath)) return dashboard.fetch(request);
  if (sweep && path.endsWith("/worker")) return sweep.fetch(request);
  return webhooks(request);
});
