import { createDashboard } from "@callhooks/dashboard";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { createMightyCallHandler, createWorkerEndpoint } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { withCors } from "./cors.ts";
import { organizationLookups } from "./organizations.ts";
import { recordHandlers } from "./records.ts";

/*
 * The one handler behind every MightyCall function of this project. Each URL MightyCall (or your
 * relay) is configured with is its own Supabase function, a folder under supabase/functions whose
 * index.ts only calls this; the code they share lives here, in _shared/, which Supabase never
 * deploys as a function of its own.
 */

function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Serves MightyCall's webhooks of both formats, whichever of the project's URLs they arrive on. With
 * `consolePath` (the function's name first: Supabase passes it in the path), also the callhooks
 * console there, behind HTTP Basic with the DASHBOARD_PASSWORD secret (off while it is unset).
 */
export function serveMightyCall(options: { consolePath?: string } = {}): void {
  // SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set by Supabase in every Edge Function.
  const db = createClient(env("SUPABASE_URL"), env("SUPABASE_SERVICE_ROLE_KEY"), {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const organizations = organizationLookups(db);
  const storage = createSupabaseStorage({ client: db });
  // Set either secret or both; callhooks refuses to start with neither rather than accept unauthenticated events.
  const pushSecret = Deno.env.get("MIGHTYCALL_WEBHOOK_SECRET");
  const apiKey = Deno.env.get("MIGHTYCALL_API_KEY");

  // Deferred by default: each event is recorded, answered 202 at once and processed right after
  // (EdgeRuntime.waitUntil keeps the instance alive for it); what an instance leaves unfinished when
  // it dies is completed by the scheduled sweep below. CALLHOOKS_MODE=sync processes before answering.
  const mode = Deno.env.get("CALLHOOKS_MODE") ?? "deferred";
  if (mode !== "sync" && mode !== "deferred") throw new Error(`CALLHOOKS_MODE must be sync or deferred, not ${mode}`);

  const mightyCall = createMightyCallHandler({
    // call.completed, sms.*, recording.available, report.*: `Authorization: Bearer <secret>`, org_id or integration_id.
    push: pushSecret
      ? { secret: pushSecret, resolveOrg: organizations.forOrg, resolveIntegration: organizations.forIntegration }
      : undefined,
    // MightyCall's own IncomingCall…CallbackCallCompleted: the account's API key in the body; the Echo check is answered.
    native: apiKey ? { apiKey, orgFromUrl: organizations.fromUrl, resolveBusinessNumber: organizations.forNumber } : undefined,
    storage,
    mode,
    on: recordHandlers(db),
  });

  // …/functions/v1/<this function>/worker: what pg_cron's sweep POSTs to (see the README), with the secret.
  const workerSecret = Deno.env.get("CALLHOOKS_WORKER_SECRET");
  const sweep = workerSecret ? createWorkerEndpoint({ storage, handlers: [mightyCall], secret: workerSecret }) : undefined;

  const dashboardPassword = Deno.env.get("DASHBOARD_PASSWORD");
  const dashboard =
    options.consolePath && dashboardPassword
      ? createDashboard({
          storage,
          handlers: mightyCall, // Replay runs events with this same handler
          auth: { username: Deno.env.get("DASHBOARD_USER") ?? "admin", password: dashboardPassword },
          basePath: options.consolePath,
        })
      : undefined;
  const webhooks = withCors((request) => mightyCall.fetch(request));
  // The console is not behind withCors: no other site may call it.
  Deno.serve((request) => {
    const path = new URL(request.url).pathname;
    if (dashboard && path.startsWith(dashboard.basePath)) return dashboard.fetch(request);
    if (sweep && path.endsWith("/worker")) return sweep.fetch(request);
    return webhooks(request);
  });
}
