/**
 * Test helpers for apps and for storage or adapter authors: signed requests, sample events and
 * the conformance suite every storage runs. Import from `@callhooks/webhook-core/testing`.
 * (The conformance suite needs vitest.)
 */
export { describeStorageConformance, type StorageConformanceOptions } from "./storage-conformance.js";
export {
  createSignedRetellRequest,
  createSignedRetellWebhook,
  signedRetellHeaders,
  retellBody,
  type SignedRetellRequestOptions,
} from "./retell-requests.js";
export { retellSample, type RetellSampleOptions } from "./retell-samples.js";
export { mightyCallSample, type MightyCallSampleOptions } from "./mightycall-samples.js";
export {
  createMightyCallPushRequest,
  createMightyCallPushWebhook,
  createMightyCallNativeRequest,
  createMightyCallNativeWebhook,
  createMightyCallEchoRequest,
  mightyCallPushHeaders,
  mightyCallNativeBody,
  type MightyCallPushRequestOptions,
  type MightyCallNativeRequestOptions,
} from "./mightycall-requests.js";
