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
    if (typeof secret !== "string" || secret === "")
      throw new WebhookConfigError(`${optionName} must be a non-empty string or an array of them.`);
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
  if (!authorization)
    throw new WebhookAuthenticationError("The Authorization header is missing; push events carry Authorization: Bearer <secret>.");
  const match = BEARER.exec(authorization);
  if (!match) throw new WebhookAuthenticationError("The Authorization header is not Bearer <secret>.");
  if (!(await matchesAny(match[1] as string, secrets))) {
    throw new WebhookAuthenticationError("The bearer token does not match the configured push secret.");
  }
}

const nativeNotConfigured = () =>
  new WebhookAuthenticationError(
    "MightyCall native events are not accepted by this handler: configure native.apiKey (one account) or native.accounts to receive them.",
  );

/** The `ApiKey` of a native body; a 401 when there is none. */
function apiKeyOf(body: unknown): string {
  const key = isPlainObject(body) ? body.ApiKey : undefined;
  if (typeof key !== "string" || key === "")
    throw new WebhookAuthenticationError("The body carries no ApiKey; MightyCall sends the account's API key in every event.");
  return key;
}

/**
 * Checks the `ApiKey` MightyCall puts in every native body against ONE account's API key(s): its
 * current key and, while rotating, the previous one. Throws `WebhookAuthenticationError` (401);
 * messages never contain the key. For several accounts, each with its own organisation, the
 * handler's `native.accounts` matches the key to its account instead.
 */
export async function assertMightyCallApiKey(body: unknown, apiKeys: readonly string[]): Promise<void> {
  if (apiKeys.length === 0) throw nativeNotConfigured();
  if (!(await matchesAny(apiKeyOf(body), apiKeys)))
    throw new WebhookAuthenticationError("The ApiKey does not match the configured MightyCall API key.");
}

/** One MightyCall account as the definition sees it: its keys (normalised, non-empty) and its organisation. */
export interface MightyCallAccountKeys {
  apiKeys: readonly string[];
  orgId: string;
}

/**
 * The account whose key a native body carries. Every key of every account is compared, each in
 * constant time and none skipped after a match, so timing tells neither whether the key is known
 * nor which account it belongs to. Keys are unique across accounts (the handler refuses a shared
 * one), so at most one account matches. Throws `WebhookAuthenticationError` (401).
 */
export async function matchMightyCallAccount<T extends MightyCallAccountKeys>(body: unknown, accounts: readonly T[]): Promise<T> {
  if (accounts.length === 0) throw nativeNotConfigured();
  const key = apiKeyOf(body);
  let matched: T | undefined;
  for (const account of accounts) {
    if (await matchesAny(key, account.apiKeys)) matched ??= account;
  }
  if (!matched) throw new WebhookAuthenticationError("The ApiKey does not match any configured MightyCall account.");
  return matched;
}

/** Whether a push delivery's `Authorization` header carries one of `secret`. Never throws for a bad token. */
export async function verifyMightyCallBearer(
  authorization: string | null | undefined,
  secret: string | readonly string[],
): Promise<boolean> {
  try {
    await assertMightyCallBearer(authorization, normalizeSecrets(secret, "secret"));
    return true;
  } catch (error) {
    if (error instanceof WebhookAuthenticationError) return false;
    throw error;
  }
}

/**
 * Whether a parsed native body carries one of `apiKey` (one account's current and rotated keys).
 * It does not say which account a key is: with several, check each account's keys in turn, or use
 * the handler's `native.accounts`. Never throws for a bad key.
 */
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
 * MightyCall's URL validation: a request carrying a non-empty `Echo` is answered 200 with the same
 * `Echo` response header, before the method, the body or any credential is looked at (the check
 * request carries none of them). An empty or blank `Echo` is no check — nothing to copy back — and
 * is treated as absent, so a stray empty header cannot turn an event into an unprocessed 200.
 */
export function answerMightyCallEcho(header: (name: string) => string | undefined): WebhookResult | undefined {
  const echo = header(MIGHTYCALL_ECHO_HEADER);
  if (echo === undefined || echo.trim() === "") return undefined;
  if (!ECHO_VALUE.test(echo)) {
    return errorResult(new WebhookValidationError("invalid_payload", "The Echo header must be at most 1024 printable ASCII characters."));
  }
  return { status: 200, headers: { [MIGHTYCALL_ECHO_HEADER]: echo }, body: "" };
}
