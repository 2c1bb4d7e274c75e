/**
 * For authors of storages: how records merge (the same result whatever order events arrive in) and
 * when a failed event is due again. The storage contract itself (`WebhookStorage` and its types) is
 * exported from the package root; the conformance suite every storage runs is
 * `describeStorageConformance` in `@callhooks/webhook-core/testing`.
 * Import from `@callhooks/webhook-core/storage`.
 */
export { dataPathInPayload } from "./data-path.js";
export { deriveCallFields, mergeRecord, recordVersion } from "./merge.js";
export { nextAttemptAt } from "../pipeline/retry.js";
