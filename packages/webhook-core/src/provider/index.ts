/**
 * For authors of provider support: the generic pipeline every provider factory is built on, the
 * definition contract it runs, and the Retell and MightyCall definitions as worked examples. Apps
 * use `createRetellHandler` and `createMightyCallHandler` from the package root instead.
 * Import from `@callhooks/webhook-core/provider`.
 */
export { createWebhookHandler, type AnyEventHandler, type PipelineHandlers } from "../pipeline/pipeline.js";
export { headerReader } from "../pipeline/http.js";
export type {
  AuthContext,
  AuthInput,
  EventDescription,
  InvalidDescription,
  ProviderDefinition,
  ProviderResponse,
} from "../pipeline/types.js";
export { retellDefinition, type RetellDefinitionOptions } from "../retell/definition.js";
export { retellEventKey } from "../retell/keys.js";
export { mightyCallDefinition, type MightyCallAccountKeys, type MightyCallDefinitionOptions } from "../mightycall/definition.js";
export { mightyCallCallId, mightyCallEventKey } from "../mightycall/keys.js";
