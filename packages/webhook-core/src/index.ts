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

// Pipeline
export { createWebhookHandler, type PipelineHandlers, type AnyEventHandler } from "./pipeline/pipeline.js";
export { WEBHOOK_LIMITS } from "./pipeline/limits.js";
export { observationKinds } from "./pipeline/types.js";
export { nextAttemptAt, defaultRetryPolicy } from "./pipeline/retry.js";
export { headerReader } from "./pipeline/http.js";
export type {
  Awaitable,
  AuthContext,
  AuthInput,
  EventDescription,
  InvalidContext,
  InvalidDescription,
  ProviderResponse,
  HandlerContext,
  HandlerStats,
  HeadersInput,
  IncomingWebhook,
  Observation,
  ObservationKind,
  PipelineOptions,
  ProviderDefinition,
  RetryPolicy,
  WaitUntil,
  RunResult,
  WebhookHandler,
  WebhookLogger,
  WebhookResult,
} from "./pipeline/types.js";

// Storage contract
export { mergeRecord, deriveCallFields, recordVersion } from "./storage/merge.js";
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
export { retellEventKey } from "./retell/keys.js";
export { retellDefinition } from "./retell/definition.js";
export {
  parseRetellEvent,
  isKnownRetellEventType,
  isKnownRetellEvent,
  retellEventSchema,
  retellKnownEventSchema,
  retellUnknownEventSchema,
  retellEventSchemas,
  retellEventTypes,
  retellCallSchema,
  retellPhoneCallSchema,
  retellWebCallSchema,
  retellChatSchema,
  retellUtteranceSchema,
  retellTranscriptEntrySchema,
  retellChatMessageSchema,
  retellCallAnalysisSchema,
  retellCallCostSchema,
  retellCallInboundSchema,
  retellChatInboundSchema,
  retellCallInboundResponseSchema,
  retellChatInboundResponseSchema,
  retellDisconnectionReasons,
  retellCallStatuses,
  retellUserSentiments,
  type RetellEvent,
  type RetellKnownEvent,
  type RetellUnknownEvent,
  type RetellEventType,
  type RetellEventOf,
  type RetellEventMap,
  type RetellCall,
  type RetellPhoneCall,
  type RetellWebCall,
  type RetellChat,
  type RetellUtterance,
  type RetellTranscriptEntry,
  type RetellCallAnalysis,
  type RetellCallCost,
  type RetellDisconnectionReason,
  type RetellCallInboundEvent,
  type RetellChatInboundEvent,
  type RetellCallInboundResponse,
  type RetellChatInboundResponse,
} from "./retell/schemas.js";

// MightyCall
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
export { mightyCallDefinition, type MightyCallDefinitionOptions, type MightyCallAccountKeys } from "./mightycall/definition.js";
export type { MightyCallPushOrgOptions, MightyCallNativeOrgOptions } from "./mightycall/org.js";
export {
  assertMightyCallBearer,
  assertMightyCallApiKey,
  verifyMightyCallBearer,
  verifyMightyCallApiKey,
  answerMightyCallEcho,
  MIGHTYCALL_ECHO_HEADER,
} from "./mightycall/auth.js";
export { mightyCallEventKey, mightyCallCallId } from "./mightycall/keys.js";
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
  mightyCallPushEventSchemas,
  mightyCallPushEventSchema,
  mightyCallPushEventTypes,
  mightyCallCallCompletedSchema,
  mightyCallSmsReceivedSchema,
  mightyCallSmsSentSchema,
  mightyCallRecordingAvailableSchema,
  mightyCallReportDailySchema,
  mightyCallReportHourlySchema,
  mightyCallMetricSchema,
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
  type MightyCallCallCompletedEvent,
  type MightyCallSmsEvent,
  type MightyCallRecordingAvailableEvent,
  type MightyCallReportEvent,
  type MightyCallMetric,
  type MightyCallMetricType,
} from "./mightycall/push-schemas.js";
export {
  mightyCallNativeEventSchemas,
  mightyCallNativeEventTypes,
  mightyCallNativeBodySchema,
  mightyCallUnknownNativeEventSchema,
  isMightyCallNativeEventType,
  type MightyCallNativeEvent,
  type MightyCallNativeEventType,
  type MightyCallNativeEventOf,
  type MightyCallNativeEventMap,
  type MightyCallNativeBody,
  type MightyCallUnknownNativeEvent,
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

// OpenAPI documents and their HTML rendering
export {
  createWebhookOpenApiDocument,
  renderWebhookDocsHtml,
  type WebhookOpenApiOptions,
  type WebhookProviderName,
  type WebhookDocsHtmlOptions,
  type MightyCallFormatOption,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiResponse,
  type OpenApiSecurityScheme,
  type OpenApiServer,
} from "./openapi/index.js";
