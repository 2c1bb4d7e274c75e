/**
 * Every failure the pipeline can answer with is one of these classes. Each carries a stable `code`
 * (safe to match on and to show to a caller) and the HTTP `status` the pipeline answers with.
 * Messages say what to change; they never contain a secret or the payload.
 */
const BRAND = Symbol.for("callhooks.WebhookError");

export abstract class WebhookError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * Recognises errors made by any copy of this package (an adapter loaded through `require` beside
   * a core loaded through `import` has a class of its own): `instanceof` would miss them.
   */
  static override [Symbol.hasInstance](this: unknown, value: unknown): boolean {
    // Subclasses inherit this method: they keep the ordinary prototype check.
    // biome-ignore lint/complexity/noThisInStatic: which class is asked is exactly what decides.
    if (this !== WebhookError) return Function.prototype[Symbol.hasInstance].call(this as () => void, value);
    return isWebhookError(value);
  }

  /** The JSON body the pipeline answers with: `{ error, details }`. */
  toJSON(): { error: string; details: string } {
    return { error: this.code, details: this.message };
  }
}

export type SignatureFailure = "missing_signature" | "malformed_signature" | "timestamp_out_of_range" | "signature_mismatch";

/** 401: the request is not signed by the provider (missing, malformed, stale or wrong signature). */
export class WebhookSignatureError extends WebhookError {
  readonly code = "invalid_signature";
  readonly status = 401;
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

/** 401: a bearer token or an API key inside the body does not match the configured secret. */
export class WebhookAuthenticationError extends WebhookError {
  readonly code = "unauthorized";
  readonly status = 401;
}

/** 403: the client address is not in `allowedIps`. */
export class WebhookForbiddenError extends WebhookError {
  readonly code = "forbidden";
  readonly status = 403;
}

/** 405: webhooks are delivered with POST. */
export class WebhookMethodError extends WebhookError {
  readonly code = "method_not_allowed";
  readonly status = 405;
}

/** 413: the body is larger than `maxBodyBytes`. */
export class WebhookPayloadTooLargeError extends WebhookError {
  readonly code = "payload_too_large";
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`The body is larger than maxBodyBytes (${limit} bytes); raise maxBodyBytes if the provider really sends this much.`);
  }
}

export interface ValidationIssue {
  /** Where in the payload, e.g. `call.call_id`. */
  path: string;
  message: string;
}

/** 400: empty body, invalid JSON, or a payload that does not match the event's schema. */
export class WebhookValidationError extends WebhookError {
  readonly code: "empty_body" | "invalid_json" | "invalid_payload" | "missing_context";
  readonly status = 400;
  constructor(
    code: "empty_body" | "invalid_json" | "invalid_payload" | "missing_context",
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/**
 * 409: the same event is being processed right now by another delivery. Answered with
 * `Retry-After` so the provider delivers it again later, when the first attempt has finished.
 */
export class WebhookInFlightError extends WebhookError {
  readonly code = "in_flight";
  readonly status = 409;
  constructor(readonly retryAfterSeconds: number) {
    super("This event is being processed by another delivery; retry later.");
  }
}

/**
 * 500: the event reached `maxAttempts` (its handler kept failing, or its processors kept stopping)
 * and is kept as dead: it is not run again until it is replayed.
 */
export class WebhookDeadEventError extends WebhookError {
  readonly code = "event_dead";
  readonly status = 500;
}

/** 500: the storage failed. The event is not acknowledged, so the provider retries it. */
export class WebhookStorageError extends WebhookError {
  readonly code = "storage_error";
  readonly status = 500;
}

/** 500: an `on` handler threw. The event is kept as failed (replayable) and the provider retries. */
export class WebhookHandlerError extends WebhookError {
  readonly code = "handler_failed";
  readonly status = 500;
  constructor(
    readonly eventType: string,
    options: { cause: unknown },
  ) {
    super(`The "${eventType}" handler failed; the event was kept as failed and can be replayed.`, options);
  }
}

/**
 * Thrown while building a handler or adapter, never answered: the configuration is wrong (for
 * instance no secret), and starting anyway would fail open.
 */
export class WebhookConfigError extends WebhookError {
  readonly code = "invalid_config";
  readonly status = 500;
}

/** 500: the raw body is gone (a body parser consumed it) so the signature cannot be checked. */
export class RawBodyUnavailableError extends WebhookError {
  readonly code = "raw_body_unavailable";
  readonly status = 500;
}

// Stamped on the prototype, where a brand check finds it without walking class identities.
Object.defineProperty(WebhookError.prototype, BRAND, { value: true });

/** True for every callhooks error, from whichever copy of the package made it (CJS and ESM alike). */
export function isWebhookError(error: unknown): error is WebhookError {
  return typeof error === "object" && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true;
}

/** The error's status when it is a callhooks error (any copy), else undefined. */
export function webhookErrorStatus(error: unknown): number | undefined {
  return isWebhookError(error) ? error.status : undefined;
}
