import { createMemoryStorage } from "@callhooks/storage-memory";
import { createMightyCallHandler, createRetellHandler, type WebhookHandler, type WebhookStorage } from "@callhooks/webhook-core";
import type { Config } from "./config.ts";

export interface Webhooks {
  storage: WebhookStorage;
  retell: WebhookHandler | undefined;
  mightyCall: WebhookHandler | undefined;
}

type Log = (message: string) => void;

/**
 * One callhooks handler per provider, on one storage. callhooks verifies, validates, records each
 * event once and merges it into its call record before these handlers run; they only do the app's
 * part (here: log it, and answer Retell's inbound calls). Swap the storage for
 * `createSupabaseStorage({ client })` to share it between instances.
 */
export function createWebhooks(config: Config, log: Log): Webhooks {
  const storage = createMemoryStorage();
  const retell =
    config.retell &&
    createRetellHandler({
      apiKey: config.retell.apiKey,
      storage,
      allowedIps: config.retell.allowedIps,
      clientAddress: config.trustedProxies > 0 ? { header: "x-forwarded-for", hops: config.trustedProxies } : "remote",
      on: {
        call_ended: ({ call }) => log(`retell call_ended ${call.call_id} ${call.disconnection_reason ?? ""}`),
        call_analyzed: ({ call }) => log(`retell call_analyzed ${call.call_id} successful=${call.call_analysis?.call_successful ?? "?"}`),
        call_inbound: ({ call_inbound }) => ({ call_inbound: { dynamic_variables: { caller_number: call_inbound.from_number } } }),
      },
    });

  const settings = config.mightyCall;
  const mightyCall =
    settings &&
    createMightyCallHandler({
      // One MightyCall account, one organisation: push events name theirs, native events name none.
      push: settings.pushSecret ? { secret: settings.pushSecret, resolveIntegration: () => settings.orgId } : undefined,
      native: settings.apiKey ? { apiKey: settings.apiKey, orgId: settings.orgId } : undefined,
      storage,
      on: {
        "call.completed": (event, { orgId }) =>
          log(`mightycall call.completed ${event.call_id} ${event.status} ${event.duration}s org=${orgId}`),
        IncomingCallCompleted: (event) => log(`mightycall IncomingCallCompleted ${event.Body.Id}`),
        OutgoingCallCompleted: (event) => log(`mightycall OutgoingCallCompleted ${event.Body.Id}`),
        "sms.received": (event) => log(`mightycall sms.received ${event.sms_id}`),
      },
      onUnknown: (event) => log(`mightycall new EventType ${event.EventType}`),
    });
  return { storage, retell, mightyCall };
}
