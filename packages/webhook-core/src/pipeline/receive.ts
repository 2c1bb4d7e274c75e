import { sha256Hex } from "../crypto/digest.js";
import {
  RawBodyUnavailableError,
  WebhookForbiddenError,
  WebhookMethodError,
  WebhookPayloadTooLargeError,
  WebhookValidationError,
  isWebhookError,
} from "../errors.js";
import { isPlainObject } from "../schema-helpers.js";
import type { QuarantineInput, StoredEvent } from "../storage/types.js";
import { isExactText } from "./exact-text.js";
import { readBodyWithLimit } from "./http.js";
import { boundedId, boundedKey, boundedType, deepJsonText, limitIssues, nestsDeeperThan, WEBHOOK_LIMITS } from "./limits.js";
import type { AuthContext, EventDescription, IncomingWebhook, ProviderDefinition, WebhookResult } from "./types.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A body that passed authentication and its schema: typed, described, ready to claim. */
export interface ValidEvent<TEvent> {
  kind: "valid";
  event: TEvent;
  description: EventDescription;
  /** The duplicate key, within the limits (null when the event carries nothing to identify it). */
  key: string | null;
  /** The body's text, when it is exactly what may be stored (nothing was removed from it). */
  payloadText: string | undefined;
  /** Whether `payloadText` parses back to exactly `description.payload` (see `isExactText`). */
  payloadTextExact: boolean;
}

/** A body that passed authentication but not its schema or a limit: kept, never run. */
export interface InvalidEvent {
  kind: "invalid";
  type: string;
  key: string;
  callId: string | null;
  orgId: string | null;
  /** What is stored: the body without secrets, or its JSON text when it nests too deep to keep as a tree. */
  payload: unknown;
  /** `payload` as JSON text, when that is the body itself. */
  payloadText?: string | undefined;
  quarantine: QuarantineInput;
  /** The answer without a storage to keep it (400). */
  error: WebhookValidationError;
}

export type Examined<TEvent> = ValidEvent<TEvent> | InvalidEvent;

function byteLength(body: string | Uint8Array, limit: number): number {
  if (typeof body !== "string") return body.byteLength;
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: only encode when the answer is in doubt.
  if (body.length > limit || body.length * 3 <= limit) return body.length;
  return encoder.encode(body).byteLength;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw new WebhookValidationError("empty_body", "The body is empty; a webhook carries a JSON event.");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WebhookValidationError("invalid_json", "The body is not valid JSON.", [], { cause });
  }
}

const isValidationError = (error: unknown): error is WebhookValidationError =>
  isWebhookError(error) && error.status === 400 && Array.isArray((error as WebhookValidationError).issues);

/**
 * Receiving: everything from the request to a described event. Authentication decides whether a
 * delivery is kept; validation only decides how it is typed and routed — so after authentication,
 * only a body that is not a JSON object is refused (400): anything else is either a valid event or
 * an invalid one to quarantine.
 */
export function createReceiver<TEvent>(
  definition: ProviderDefinition<TEvent>,
  options: { maxBodyBytes: number; ipAllowed?: ((request: IncomingWebhook) => boolean) | undefined },
) {
  const { maxBodyBytes, ipAllowed } = options;

  /** Checks that need no body: answered before the body is read. */
  function preflight(request: IncomingWebhook, header: (name: string) => string | undefined): WebhookResult | undefined {
    const handshake = definition.handshake?.(request, header);
    if (handshake) return handshake;
    if (request.method.toUpperCase() !== "POST") {
      throw new WebhookMethodError(`Webhooks are delivered with POST, not ${request.method}.`);
    }
    if (ipAllowed && !ipAllowed(request)) {
      throw new WebhookForbiddenError("The client address is not in allowedIps (behind a proxy, set clientAddress).");
    }
    return undefined;
  }

  /** Reads a Web request's body within the limit. */
  async function readBody(request: Request): Promise<Uint8Array> {
    if (request.bodyUsed) {
      // Something read it first (req.json()): the bytes the signature covers are gone for good.
      throw new RawBodyUnavailableError(
        "The request body was already read before the webhook handler (e.g. request.json()), so the raw bytes the signature covers are gone: pass the untouched Request, or use handler.handle() with the bytes you read.",
      );
    }
    try {
      return await readBodyWithLimit(request, maxBodyBytes);
    } catch (error) {
      if (isWebhookError(error) && error.code === "payload_too_large") throw error;
      throw new WebhookValidationError("invalid_payload", "The request body could not be read.", [], { cause: error });
    }
  }

  /** Authenticates a body, then parses it into a JSON object. Throws 400/401/413. */
  async function authenticate(
    request: IncomingWebhook,
    header: (name: string) => string | undefined,
  ): Promise<{ json: Record<string, unknown>; text: string; auth: AuthContext | undefined }> {
    const body = request.body;
    if (body == null || (typeof body === "string" ? body.length : body.byteLength) === 0) {
      throw new WebhookValidationError("empty_body", "The body is empty; a webhook carries a JSON event.");
    }
    if (typeof body !== "string" && !(body instanceof Uint8Array)) {
      throw new WebhookValidationError(
        "invalid_payload",
        "The body was given as a parsed object: pass the raw bytes (string or Uint8Array) exactly as received.",
      );
    }
    if (byteLength(body, maxBodyBytes) > maxBodyBytes) throw new WebhookPayloadTooLargeError(maxBodyBytes);
    let parsed: { text: string; value: unknown } | undefined;
    const read = () => {
      if (!parsed) {
        const text = typeof body === "string" ? body : decoder.decode(body);
        parsed = { text, value: parseJson(text) };
      }
      return parsed;
    };
    // Awaited only when it is asynchronous (WebCrypto): Retell's check is synchronous on node:crypto.
    const authenticating = definition.authenticate({ request, body, json: () => read().value, header });
    const auth = (authenticating instanceof Promise ? await authenticating : authenticating) ?? undefined;
    const { text, value } = read();
    if (!isPlainObject(value)) {
      throw new WebhookValidationError("invalid_payload", "The body is JSON but not an object; a webhook carries a JSON object.");
    }
    return { json: value, text, auth };
  }

  /**
   * Types and describes an authenticated JSON object, or says why it must be quarantined. `text` is
   * the body it was parsed from (absent when a stored event is parsed again).
   */
  async function examine(
    json: Record<string, unknown>,
    request: IncomingWebhook | undefined,
    auth: AuthContext | undefined,
    text?: string,
  ): Promise<Examined<TEvent>> {
    if (nestsDeeperThan(json, WEBHOOK_LIMITS.maxDepth)) {
      const error = new WebhookValidationError(
        "invalid_payload",
        `The body nests deeper than ${WEBHOOK_LIMITS.maxDepth} levels (the storage limit).`,
        [{ path: "(root)", message: `Nested deeper than ${WEBHOOK_LIMITS.maxDepth} levels` }],
      );
      return invalid(json, auth, error, { tooDeep: true, text });
    }
    let event: TEvent;
    let description: EventDescription;
    try {
      event = definition.parse(json);
      description = await definition.describe(event, request, auth);
    } catch (error) {
      if (isValidationError(error)) return invalid(json, auth, error, { text });
      throw error;
    }
    const issues = limitIssues(description);
    if (issues.length > 0) {
      const first = issues[0] as { path: string; message: string };
      const error = new WebhookValidationError(
        "invalid_payload",
        `The event exceeds a storage limit: ${first.path}: ${first.message}.`,
        issues,
      );
      return invalid(json, auth, error, { text, described: description });
    }
    const redacted = definition.redact ? definition.redact(json) !== json : false;
    const payloadText = redacted ? undefined : text;
    return {
      kind: "valid",
      event,
      description,
      key: description.key === null ? null : await boundedKey(description.key),
      payloadText,
      payloadTextExact: payloadText !== undefined && !definition.transforms && isExactText(payloadText, json, description.payload),
    };
  }

  async function invalid(
    json: Record<string, unknown>,
    auth: AuthContext | undefined,
    error: WebhookValidationError,
    options: { tooDeep?: boolean; text?: string | undefined; described?: EventDescription },
  ): Promise<InvalidEvent> {
    const named = options.described ?? identify(json);
    const redacted = definition.redact?.(json) ?? json;
    // Too deep to keep as a tree: its text, which is the body itself unless a secret was taken out.
    const payload = options.tooDeep ? (redacted === json && options.text !== undefined ? options.text : deepJsonText(redacted)) : redacted;
    const type = boundedType(named.type ?? "unknown");
    const key = named.key
      ? await boundedKey(named.key)
      : // Nothing in it names the event: the same body delivered again is the same event.
        `${type}#sha256:${await sha256Hex(typeof payload === "string" ? payload : JSON.stringify(payload))}`;
    const issues = error.issues.length > 0 ? error.issues : [{ path: "(root)", message: error.message }];
    return {
      kind: "invalid",
      type,
      key,
      callId: boundedId(named.callId),
      orgId: boundedId(options.described?.orgId ?? auth?.orgId ?? null),
      payload,
      payloadText: !options.tooDeep && redacted === json ? options.text : undefined,
      quarantine: { reason: error.message, issues },
      error,
    };
  }

  function identify(json: Record<string, unknown>): { type: string | null; key: string | null; callId: string | null } {
    try {
      return definition.identify?.(json) ?? { type: null, key: null, callId: null };
    } catch {
      return { type: null, key: null, callId: null };
    }
  }

  /**
   * Examines a stored event again (a worker's run, a replay) with the current schemas. A payload kept
   * as text (too deep to store as a tree) is parsed first. The tenant it was stored under stands in
   * for the credential that named it.
   */
  async function examineStored(stored: StoredEvent): Promise<Examined<TEvent>> {
    let value = stored.payload;
    let error: WebhookValidationError | undefined;
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch (cause) {
        error = new WebhookValidationError("invalid_json", "The stored body is not valid JSON.", [], { cause });
      }
    }
    if (!error && isPlainObject(value)) {
      return examine(
        value,
        undefined,
        stored.orgId === null ? undefined : { orgId: stored.orgId },
        typeof stored.payload === "string" ? stored.payload : undefined,
      );
    }
    error ??= new WebhookValidationError("invalid_payload", "The stored body is not a JSON object.");
    return {
      kind: "invalid",
      type: stored.type,
      key: stored.key,
      callId: stored.callId,
      orgId: stored.orgId,
      payload: stored.payload,
      quarantine: { reason: error.message, issues: [{ path: "(root)", message: error.message }] },
      error,
    };
  }

  return { preflight, readBody, authenticate, examine, examineStored };
}

export type Receiver<TEvent> = ReturnType<typeof createReceiver<TEvent>>;
