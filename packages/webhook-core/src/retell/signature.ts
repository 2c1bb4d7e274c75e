import { WebhookConfigError, WebhookSignatureError } from "../errors.js";
import { defaultHmac, type HmacMessage, type HmacSha256 } from "../crypto/hmac.js";
import { bytesToHex, hexToBytes } from "../crypto/hex.js";

/** The header Retell signs every webhook with. */
export const RETELL_SIGNATURE_HEADER = "x-retell-signature";
/** Retell's documented tolerance: 5 minutes, both directions. */
export const RETELL_DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;
/** The one source address Retell publishes for webhooks. */
export const RETELL_WEBHOOK_IPS: readonly string[] = ["100.20.5.228"];

export interface RetellSignatureOptions {
  /** The receiver's clock, epoch ms (default `Date.now()`). */
  now?: number;
  /** How far the signature's timestamp may be from `now`, either way. Default 5 minutes. */
  toleranceMs?: number;
  /** The HMAC implementation (default: `node:crypto` where available, else WebCrypto). */
  hmac?: HmacSha256;
}

export interface RetellSignOptions {
  /** The signature's timestamp, epoch ms (default `Date.now()`). */
  timestamp?: number;
  hmac?: HmacSha256;
}

/** Keys as Retell gives them; whitespace around a pasted key is the classic silent failure. */
export function normalizeApiKeys(apiKey: string | readonly string[] | undefined, optionName = "apiKey"): string[] {
  const keys = (typeof apiKey === "string" ? [apiKey] : [...(apiKey ?? [])]).filter((key) => key !== "");
  if (keys.length === 0) {
    throw new WebhookConfigError(
      `${optionName} is required: the Retell API key with the "webhook" badge (Retell signs webhooks with it). Refusing to accept unsigned webhooks.`,
    );
  }
  for (const key of keys) {
    if (typeof key !== "string") throw new WebhookConfigError(`${optionName} must be a string or an array of strings.`);
    if (key.trim() !== key) {
      throw new WebhookConfigError(`${optionName} has leading or trailing whitespace; remove it (signatures would never match).`);
    }
  }
  return keys;
}

// Anchored like retell-sdk >= 5.50: `v=<ms>,d=<64 hex>`. The timestamp is at most 16 digits so that
// it stays a safe integer.
const SIGNATURE = /^v=(\d{1,16}),d=([0-9a-fA-F]{64})$/;

/**
 * The check behind `assertRetellSignature`, `verifyRetellSignature` and the handler. It returns
 * synchronously whenever the HMAC does (node:crypto, the default wherever the runtime has it), so
 * the hot path pays no microtask turns; with WebCrypto it returns a promise. Returns (or resolves)
 * undefined for a good signature; throws (or rejects with) a `WebhookSignatureError`.
 */
export function checkRetellSignature(
  body: string | Uint8Array,
  signature: string | null | undefined,
  apiKey: string | readonly string[],
  now: number,
  tolerance: number,
  hmac: HmacSha256 | undefined,
): void | Promise<void> {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new WebhookSignatureError(
      "signature_mismatch",
      "The body was given as a parsed object: pass the raw body (string or bytes) exactly as received; JSON.stringify of a parsed body does not reproduce it.",
    );
  }
  if (!signature) {
    throw new WebhookSignatureError("missing_signature", `The ${RETELL_SIGNATURE_HEADER} header is missing.`);
  }
  const match = SIGNATURE.exec(signature.trim());
  if (!match) {
    throw new WebhookSignatureError(
      "malformed_signature",
      `The ${RETELL_SIGNATURE_HEADER} header is not "v=<timestamp ms>,d=<64 hex digits>".`,
    );
  }
  const timestamp = match[1] as string;
  const expected = hexToBytes(match[2] as string, 32) as Uint8Array;
  if (!Number.isFinite(now) || !(tolerance >= 0) || Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookSignatureError(
      "timestamp_out_of_range",
      `The signature's timestamp is more than ${tolerance} ms from this server's clock: a replayed request, or a clock out of sync.`,
    );
  }
  const keys = typeof apiKey === "string" ? [apiKey] : apiKey;
  const parts = [body, timestamp];
  const impl = hmac ?? defaultHmac();
  if (!("verify" in impl)) return impl.then((resolved) => verifyFrom(resolved, keys, parts, expected, 0));
  return verifyFrom(impl, keys, parts, expected, 0);
}

/** Tries the keys in order from `from`; synchronous as long as the HMAC answers synchronously. */
function verifyFrom(
  hmac: HmacSha256,
  keys: readonly string[],
  parts: readonly HmacMessage[],
  expected: Uint8Array,
  from: number,
): void | Promise<void> {
  for (let i = from; i < keys.length; i++) {
    const match = hmac.verify(keys[i] as string, parts, expected);
    if (typeof match !== "boolean") {
      return Promise.resolve(match).then((ok) => (ok ? undefined : verifyFrom(hmac, keys, parts, expected, i + 1)));
    }
    if (match) return;
  }
  throw new WebhookSignatureError(
    "signature_mismatch",
    "The signature does not match. Check that the API key is the one with the webhook badge in the Retell dashboard, and that the body is the raw bytes as received: a body parsed and re-serialised (e.g. JSON.stringify(req.body)) does not match.",
  );
}

function checkWithOptions(
  body: string | Uint8Array,
  signature: string | null | undefined,
  apiKey: string | readonly string[],
  options: RetellSignatureOptions,
): void | Promise<void> {
  const now = options.now ?? Date.now();
  return checkRetellSignature(body, signature, apiKey, now, options.toleranceMs ?? RETELL_DEFAULT_TOLERANCE_MS, options.hmac);
}

/**
 * Checks a Retell signature and says why it fails: throws `WebhookSignatureError` with a `reason`
 * (`missing_signature`, `malformed_signature`, `timestamp_out_of_range`, `signature_mismatch`).
 * `body` must be the raw request body, exactly as received.
 */
export async function assertRetellSignature(
  body: string | Uint8Array,
  signature: string | null | undefined,
  apiKey: string | readonly string[],
  options: RetellSignatureOptions = {},
): Promise<void> {
  const pending = checkWithOptions(body, signature, apiKey, options);
  if (pending) await pending;
}

/**
 * Verifies an `x-retell-signature` header over the raw body: HMAC-SHA256 of `body + timestamp`
 * under the API key, timestamp within `toleranceMs` either way, compared in constant time. Several
 * keys may be given while rotating. Never throws for a bad signature; resolves `false`.
 */
export async function verifyRetellSignature(
  body: string | Uint8Array,
  signature: string | null | undefined,
  apiKey: string | readonly string[],
  options: RetellSignatureOptions = {},
): Promise<boolean> {
  try {
    const pending = checkWithOptions(body, signature, apiKey, options);
    if (pending) await pending;
    return true;
  } catch (error) {
    if (error instanceof WebhookSignatureError) return false;
    throw error;
  }
}

/** Signs a body as Retell does; returns the `x-retell-signature` header value. */
export async function signRetellPayload(body: string | Uint8Array, apiKey: string, options: RetellSignOptions = {}): Promise<string> {
  const timestamp = String(Math.trunc(options.timestamp ?? Date.now()));
  const hmac = options.hmac ?? (await defaultHmac());
  const digest = await hmac.sign(apiKey, [body, timestamp]);
  return `v=${timestamp},d=${bytesToHex(digest)}`;
}
