/**
 * Test helpers for apps and for storage or adapter authors: the conformance suites every storage
 * and adapter runs (they need vitest), plus the signed requests and sample events of
 * `@callhooks/webhook-core/samples`. Import from `@callhooks/webhook-core/testing`.
 */
export { describeStorageConformance, type StorageConformanceOptions } from "./storage-conformance.js";
export { describeNeverLost, type NeverLostOptions } from "./never-lost.js";
// Everything from `@callhooks/webhook-core/samples` (no test framework needed there).
export * from "../samples/index.js";
export { describeAdapterConformance, type AdapterConformanceOptions, type ParserFirstCase, type ServedAdapter } from "./adapter-suite.js";
