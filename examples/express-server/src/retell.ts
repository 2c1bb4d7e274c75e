import { createRetellHandler, type WebhookHandler } from "@callhooks/webhook-core";
import type { Config } from "./config.ts";
import type { Backend } from "./storage.ts";

/**
 * The Retell webhook: callhooks checks the signature over the raw body, validates the event,
 * records it once and merges it into the call's record before any of this runs. What is left is
 * the app: bring the call's job up to date, and answer inbound calls.
 */
export function createRetell(config: Config, backend: Backend): WebhookHandler {
  const syncJob = async ({ call }: { call: { call_id: string } }) => {
    const job = await backend.jobs.sync(call.call_id);
    if (job) console.log(`call job ${job.id}: ${job.status} (${job.last_call_event}) call ${job.call_id}`);
  };
  return createRetellHandler({
    apiKey: config.retellApiKey,
    storage: backend.storage,
    allowedIps: config.allowedIps,
    // Behind proxies, the client is the entry the nearest trusted proxy appended: counted from the right.
    clientAddress: config.trustedProxies > 0 ? { header: "x-forwarded-for", hops: config.trustedProxies } : "remote",
    // DEBUG=true: how each delivery was routed (verified, parsed, a duplicate, processed or why not).
    observe: config.debug
      ? ({ kind, eventType, eventId, status, reason }) =>
          console.log(`debug: retell ${[kind, eventType, eventId, status, reason].filter(Boolean).join(" ")}`)
      : undefined,
    on: {
      call_started: syncJob,
      call_ended: syncJob,
      call_analyzed: syncJob,
      call_inbound: ({ call_inbound }) => ({
        call_inbound: {
          ...(config.inboundAgentId && { override_agent_id: config.inboundAgentId }),
          dynamic_variables: { caller_number: call_inbound.from_number },
        },
      }),
    },
  });
}
