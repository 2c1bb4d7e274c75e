// Errors
export {
  WebhookError,
  WebhookSignatureError,
  WebhookAuthenticationError,
  WebhookForbiddenError,
  WebhookMethodError,
  WebhookPayloadTooLargeError,
  WebhookValidationError,
  WebhookInFlightError,
  WebhookStorageError,
  WebhookDeadEventError,
  WebhookHandlerError,
  WebhookConfigError,
  RawBodyUnavailableError,
  isWebhookError,
  type SignatureFailure,
  type ValidationIssue,
} from "./errors.js";

// What every handler takes and gives
export { WEBHOOK_LIMITS } from "./pipeline/limits.js";
export { observationKinds } from "./pipeline/types.js";
export { defaultRetryPolicy } from "./pipeline/retry.js";
export type {
  Awaitable,
  InvalidContext,
  HandlerContext,
  HandlerStats,
  HeadersInput,
  IncomingWebhook,
  Observation,
  ObservationKind,
  PipelineOptions,
  RetryPolicy,
  WaitUntil,
  RunResult,
  WebhookHandler,
  WebhookLogger,
  WebhookResult,
} from "./pipeline/types.js";

// The storage contract (helpers for storage authors: `@callhooks/webhook-core/storage`)
export { eventStatuses, recordKinds } from "./storage/types.js";
export type {
  CallFields,
  CallRecord,
  ClaimDueInput,
  ClaimRequest,
  ClaimResult,
  CompleteInput,
  DurationSummary,
  EventCounts,
  EventCursor,
  EventFilter,
  EventSelection,
  EventStats,
  EventStatsBucket,
  EventStatsInput,
  EventInput,
  EventStatus,
  FailInput,
  JsonValue,
  LeaseRef,
  MessageFields,
  MessageRecord,
  QuarantineInput,
  RecordingFields,
  RecordingRecord,
  RecordKind,
  RecordPatch,
  ReportFields,
  ReportRecord,
  StoredEvent,
  StoredRecord,
  WebhookStorage,
} from "./storage/types.js";

// Crypto
export { defaultHmac, nodeHmac, webCryptoHmac, type HmacSha256, type HmacMessage } from "./crypto/hmac.js";
export { timingSafeEqualStrings } from "./crypto/compare.js";

// Retell
export type * from "./retell/types.generated.js";
export { createRetellHandler, type RetellHandlerOptions, type RetellHandlers, type RetellHandlerResult } from "./retell/handler.js";
export {
  assertRetellSignature,
  verifyRetellSignature,
  signRetellPayload,
  RETELL_SIGNATURE_HEADER,
  RETELL_DEFAULT_TOLERANCE_MS,
  RETELL_WEBHOOK_IPS,
  type RetellSignatureOptions,
  type RetellSignOptions,
} from "./retell/signature.js";
export {
  parseRetellEvent,
  isKnownRetellEventType,
  isKnownRetellEvent,
  retellEventTypes,
  retellDisconnectionReasons,
  retellCallStatuses,
  retellUserSentiments,
  type RetellEvent,
  type RetellKnownEvent,
  type RetellEventType,
  type RetellEventOf,
  type RetellDisconnectionReason,
} from "./retell/schemas.js";

// MightyCall
export type * from "./mightycall/types.generated.js";
export {
  createMightyCallHandler,
  MIGHTYCALL_DEFAULT_MAX_BODY_BYTES,
  type MightyCallHandlerOptions,
  type MightyCallHandlers,
  type MightyCallPushOptions,
  type MightyCallNativeOptions,
  type MightyCallNativeSingleAccountOptions,
  type MightyCallNativeAccountsOptions,
  type MightyCallNativeAccount,
} from "./mightycall/handler.js";
export type { MightyCallPushOrgOptions, MightyCallNativeOrgOptions } from "./mightycall/org.js";
export {
  assertMightyCallBearer,
  assertMightyCallApiKey,
  verifyMightyCallBearer,
  verifyMightyCallApiKey,
  answerMightyCallEcho,
  MIGHTYCALL_ECHO_HEADER,
} from "./mightycall/auth.js";
export {
  parseMightyCallEvent,
  mightyCallFormat,
  mightyCallEventType,
  isMightyCallKnownEventType,
  isMightyCallNativeEvent,
  isMightyCallPushEvent,
  isKnownMightyCallNativeEvent,
  type MightyCallEvent,
  type MightyCallEventType,
  type MightyCallEventOf,
  type MightyCallFormat,
} from "./mightycall/events.js";
export {
  mightyCallPushEventTypes,
  mightyCallDirections,
  mightyCallCallStatuses,
  mightyCallSmsStatuses,
  mightyCallMetricTypes,
  isMightyCallPushEventType,
  MIGHTYCALL_MAX_ID_LENGTH,
  MIGHTYCALL_MAX_PHONE_LENGTH,
  type MightyCallPushEvent,
  type MightyCallPushEventType,
  type MightyCallPushEventOf,
  type MightyCallSmsEvent,
  type MightyCallReportEvent,
  type MightyCallMetricType,
} from "./mightycall/push-schemas.js";
export {
  mightyCallNativeEventTypes,
  isMightyCallNativeEventType,
  type MightyCallNativeEvent,
  type MightyCallNativeEventType,
  type MightyCallNativeEventOf,
} from "./mightycall/native-schemas.js";

// Workers and replay
export { processPending } from "./worker/process-pending.js";
export { startWorker } from "./worker/start-worker.js";
export { replayEvents } from "./worker/replay.js";
export { createWorkerEndpoint, type WorkerEndpoint, type WorkerEndpointOptions } from "./worker/endpoint.js";
export type {
  ProcessPendingOptions,
  ProcessPendingResult,
  ReplayEventResult,
  ReplayOptions,
  ReplayOutcome,
  ReplayResult,
  StartWorkerOptions,
  WebhookWorker,
  WorkerObservation,
  WorkerObservationKind,
  WorkerOptions,
  WorkerStats,
} from "./worker/types.js";
