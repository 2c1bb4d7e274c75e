import { WebhookConfigError } from "../errors.js";
import { createWebhookHandler } from "../pipeline/pipeline.js";
import type { Awaitable, HandlerContext, PipelineOptions, WebhookHandler } from "../pipeline/types.js";
import { normalizeSecrets } from "./auth.js";
import { mightyCallDefinition } from "./definition.js";
import { isMightyCallKnownEventType, type MightyCallEventOf, type MightyCallEventType } from "./events.js";
import type { MightyCallUnknownNativeEvent } from "./native-schemas.js";
import { checkNativeOrgOptions, type MightyCallNativeOrgOptions, type MightyCallPushOrgOptions } from "./org.js";

/**
 * MightyCall bodies are about a kilobyte. Native ones are parsed before they are authenticated (the
 * key is inside), so the default limit is kept far below the pipeline's 8 MiB.
 */
export const MIGHTYCALL_DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** The `on` map: one typed handler per event name, push (`call.completed`) and native (`IncomingCallCompleted`) alike. */
export type MightyCallHandlers = {
  [K in MightyCallEventType]?: (event: MightyCallEventOf<K>, context: HandlerContext) => Awaitable<unknown>;
};

export interface MightyCallPushOptions extends MightyCallPushOrgOptions {
  /** The secret senders put in `Authorization: Bearer <secret>`. Several while rotating. */
  secret: string | readonly string[];
}

export interface MightyCallNativeOptions extends MightyCallNativeOrgOptions {
  /**
   * The account's API key (MightyCall → Integrations → API), which MightyCall puts in every event's
   * `ApiKey`. Several for several accounts or while rotating.
   */
  apiKey: string | readonly string[];
}

export interface MightyCallHandlerOptions extends PipelineOptions {
  /** Accept the push format (`call.completed`, `sms.*`, `recording.available`, `report.*`). */
  push?: MightyCallPushOptions | undefined;
  /** Accept MightyCall's native call events (`IncomingCall`…`CallbackCallCompleted`) and its Echo URL check. */
  native?: MightyCallNativeOptions | undefined;
  on?: MightyCallHandlers;
  /** Native EventTypes MightyCall added after this version; recorded and acknowledged either way. */
  onUnknown?: (event: MightyCallUnknownNativeEvent, context: HandlerContext) => Awaitable<unknown>;
}

/**
 * Receives MightyCall webhooks of both formats on one URL: push events authenticated by their
 * Bearer token, native events by the account key in their body (removed before anything is stored
 * or logged), the Echo URL check answered first. Each event is validated, recorded once (with a
 * storage), merged into its call, message, recording or report record, and handed to your handler.
 *
 * @example
 * const handler = createMightyCallHandler({
 *   push: { secret: process.env.MIGHTYCALL_WEBHOOK_SECRET!, resolveIntegration: (id) => lookupOrg(id) },
 *   native: { apiKey: process.env.MIGHTYCALL_API_KEY!, orgFromUrl: (url) => url.searchParams.get("org") },
 *   storage: createMemoryStorage(),
 *   on: { IncomingCallCompleted: async (event) => console.log(event.Body.Id) },
 * });
 * export const POST = (request: Request) => handler.fetch(request);
 */
export function createMightyCallHandler(options: MightyCallHandlerOptions): WebhookHandler {
  const pushSecrets = options.push ? normalizeSecrets(options.push.secret, "push.secret") : [];
  const nativeApiKeys = options.native ? normalizeSecrets(options.native.apiKey, "native.apiKey") : [];
  if (options.push && pushSecrets.length === 0) throw new WebhookConfigError("push.secret is empty: give the Bearer secret, or leave push out.");
  if (options.native && nativeApiKeys.length === 0) throw new WebhookConfigError("native.apiKey is empty: give the account's API key, or leave native out.");
  if (pushSecrets.length === 0 && nativeApiKeys.length === 0) {
    throw new WebhookConfigError(
      "Configure push.secret (Bearer-authenticated push events) and/or native.apiKey (MightyCall's native events). Refusing to accept unauthenticated webhooks.",
    );
  }
  if (options.native) checkNativeOrgOptions(options.native);
  const definition = mightyCallDefinition({ pushSecrets, nativeApiKeys, push: options.push, native: options.native });
  return createWebhookHandler(
    definition,
    { on: options.on, onUnknown: options.onUnknown, isKnown: isMightyCallKnownEventType },
    { ...options, maxBodyBytes: options.maxBodyBytes ?? MIGHTYCALL_DEFAULT_MAX_BODY_BYTES },
  );
}
