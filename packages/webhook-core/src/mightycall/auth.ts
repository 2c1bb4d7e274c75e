import { timingSafeEqualStrings } from "../crypto/compare.js";
import { WebhookAuthenticationError, WebhookConfigError, WebhookValidationError } from "../errors.js";
import { errorResult } from "../pipeline/http.js";
import type { WebhookResult } from "../pipeline/types.js";
import { isPlainObject } from "../schema-helpers.js";

/** The header MightyCall validates a webhook URL with; the receiver copies it back. */
export const MIGHTYCALL_ECHO_HEADER = "Echo";

/**
 * Secrets as configured. Empty means not configured (the caller decides whether that is an error);
 * whitespace around a pasted secret is refused, since it would never match.
 */
export function normalizeSecrets(value: string | readonly string[] | undefined, optionName: string): string[] {
  const list = typeof value === "string" ? [value] : [...(value ?? [])];
  for (const secret of list) {
    if (typeof secret !== "string" || secret === "") throw new WebhookConfigError(`${optionName} must be a non-empty string or an array of them.`);
    if (secret.trim() !== secret) {
      throw new WebhookConfigError(`${optionName} has leading or trailing whitespace; remove it (it would never match).`);
    }
  }
  return list;
}

/** Compares against every secret, each in constant time, so timing tells nothing about which one or where it differs. */
async function matchesAny(candidate: string, secrets: readonly string[]): Promise<boolean> {
  let matched = false;
  for (const secret of secrets) {
    if (await timingSafeEqualStrings(candidate, secret)) matched = true;
  }
  return matched;
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Checks `Authorization: Bearer <secret>` (push format). Throws `WebhookAuthenticationError` (401);
 * messages never contain the token.
 */
export async function assertMightyCallBearer(authorization: string | null | undefined, secrets: readonly string[]): Promise<void> {
  if (secrets.length === 0) {
    throw new WebhookAuthenticationError("Push-format events are not accepted by this handler: configure push.secret to receive them.");
  }
  if (!authorization) throw new WebhookAuthenticationError("The Authorization header is missing; push events carry Authorization: Bearer <secret>.");
  const match = BEARER.exec(authorization);
  if (!match) throw new WebhookAuthenticationError("The Authorization header is not Bearer <secret>.");
  if (!(await matchesAny(match[1] as string, secrets))) {
    throw new WebhookAuthenticationError("The bearer token does not match the configured push secret.");
  }
}

/**
 * Checks the `ApiKey` MightyCall puts in every native body against the account's API key(s).
 * Throws `WebhookAuthenticationError` (401); messages never contain the key.
 */
export async function assertMightyCallApiKey(body: unknown, apiKeys: readonly string[]): Promise<void> {
  if (apiKeys.length === 0) {
    throw new WebhookAuthenticationError("MightyCall native events are not accepted by this handler: configure native.apiKey to receive them.");
  }
  const key = isPlainObject(body) ? body.ApiKey : undefined;
  if (typeof key !== "string" || key === "") throw new WebhookAuthenticationError("The body carries no ApiKey; MightyCall sends the account's API key in every event.");
  if (!(await matchesAny(key, apiKeys))) throw new WebhookAuthenticationError("The ApiKey does not match the configured MightyCall API key.");
}

/** Whether a push delivery's `Authorization` header carries one of `secret`. Never throws for a bad token. */
export async function verifyMightyCallBearer(authorization: string | null | undefined, secret: string | readonly string[]): Promise<boolean> {
  try {
    await assertMightyCallBearer(authorization, normalizeSecrets(secret, "secret"));
    return true;
  } catch (error) {
    if (error instanceof WebhookAuthenticationError) return false;
    throw error;
  }
}

/** Whether a parsed native body carries one of `apiKey`. Never throws for a bad key. */
export async function verifyMightyCallApiKey(body: unknown, apiKey: string | readonly string[]): Promise<boolean> {
  try {
    await assertMightyCallApiKey(body, normalizeSecrets(apiKey, "apiKey"));
    return true;
  } catch (error) {
    if (error instanceof WebhookAuthenticationError) return false;
    throw error;
  }
}

// Reflected into a response header: printable ASCII only, so nothing can be smuggled into it.
const ECHO_VALUE = /^[\x20-\x7e]{0,1024}$/;

/**
 * MightyCall's URL validation: a request carrying `Echo` is answered 200 with the same `Echo`
 * response header, before the method, the body or any credential is looked at (the check request
 * carries none of them).
 */
export function answerMightyCallEcho(header: (name: string) => string | undefined): WebhookResult | undefined {
  const echo = header(MIGHTYCALL_ECHO_HEADER);
  if (echo === undefined) return undefined;
  if (!ECHO_VALUE.test(echo)) {
    return errorResult(new WebhookValidationError("invalid_payload", "The Echo header must be at most 1024 printable ASCII characters."));
  }
  return { status: 200, headers: { [MIGHTYCALL_ECHO_HEADER]: echo }, body: "" };
}
