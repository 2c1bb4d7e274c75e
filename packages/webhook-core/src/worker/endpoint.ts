import { timingSafeEqualStrings } from "../crypto/compare.js";
import { WebhookConfigError } from "../errors.js";
import { jsonResult, toResponse } from "../pipeline/http.js";
import { processPending } from "./process-pending.js";
import type { ProcessPendingOptions } from "./types.js";

export interface WorkerEndpointOptions extends ProcessPendingOptions {
  /**
   * The secret a scheduler sends as `Authorization: Bearer <secret>` (several while rotating). Compared
   * in constant time; without it the endpoint is not created.
   */
  secret: string | readonly string[];
}

export interface WorkerEndpoint {
  /** Answers a scheduler's POST: runs one bounded `processPending` pass and says how it went. */
  fetch(request: Request): Promise<Response>;
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * A worker behind a URL, for platforms with no long-running process (Supabase Edge Functions,
 * serverless): a scheduler (pg_cron with pg_net on Supabase, Vercel Cron, Cloudflare Cron Triggers)
 * POSTs to it, and each call processes what is due — pending events, failed ones due for a retry,
 * and events whose processor stopped (a killed function's lapsed lease) — up to `limit` (default
 * 50), then answers `200 { claimed, processed, failed, dead, quarantined, leaseLost }`. Another
 * request or the provider can never trigger it: it answers 401 without the secret, 405 to anything
 * but POST, and 500 (the counts so far are lost, the events are not) when the storage fails.
 *
 * @example
 * const sweep = createWorkerEndpoint({ storage, handlers: [retell], secret: Deno.env.get("CALLHOOKS_WORKER_SECRET")! });
 * Deno.serve((req) => new URL(req.url).pathname.endsWith("/worker") ? sweep.fetch(req) : retell.fetch(req));
 */
export function createWorkerEndpoint(options: WorkerEndpointOptions): WorkerEndpoint {
  const secrets = (typeof options.secret === "string" ? [options.secret] : [...(options.secret ?? [])]).filter(
    (s) => typeof s === "string",
  );
  if (secrets.length === 0 || secrets.some((secret) => secret.length < 16)) {
    throw new WebhookConfigError(
      "createWorkerEndpoint needs a secret of at least 16 characters (the scheduler sends it as a Bearer token).",
    );
  }
  const limit = options.limit ?? 50;
  return {
    async fetch(request) {
      if (request.method.toUpperCase() !== "POST") {
        return toResponse(jsonResult(405, { error: "method_not_allowed", details: "The worker is run with POST." }, { allow: "POST" }));
      }
      const token = BEARER.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
      let authorized = false;
      // Every secret is compared, whether one matched or not: timing tells nothing.
      for (const secret of secrets) if (await timingSafeEqualStrings(token, secret)) authorized = true;
      if (!authorized)
        return toResponse(
          jsonResult(401, { error: "unauthorized", details: "Authorization: Bearer <worker secret> is missing or wrong." }),
        );
      await request.body?.cancel().catch(() => undefined);
      try {
        return toResponse(jsonResult(200, await processPending({ ...options, limit })));
      } catch {
        return toResponse(
          jsonResult(500, {
            error: "storage_error",
            details: "The storage failed while claiming due events; the next run will find them.",
          }),
        );
      }
    },
  };
}
