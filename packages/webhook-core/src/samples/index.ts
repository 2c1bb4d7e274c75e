/**
 * Sample events of every Retell and MightyCall webhook, and requests signed or authenticated as the
 * providers send them: for tests (with any framework), demos and `callhooks send`. No test framework
 * is loaded from here; the conformance suites live in `@callhooks/webhook-core/testing`.
 */
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
