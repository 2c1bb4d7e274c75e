import { WebhookConfigError } from "../errors.js";
import { createWebhookHandler } from "../pipeline/pipeline.js";
import type { Awaitable, HandlerContext, PipelineOptions, WebhookHandler } from "../pipeline/types.js";
import { normalizeSecrets, type MightyCallAccountKeys } from "./auth.js";
import { mightyCallDefinition } from "./definition.js";
import { isMightyCallKnownEventType, type MightyCallEventOf, type MightyCallEventType } from "./events.js";
import { mightyCallNativeEventTypes, type MightyCallUnknownNativeEvent } from "./native-schemas.js";
import { mightyCallPushEventTypes } from "./push-schemas.js";
import { checkNativeOrgOptions, type MightyCallNativeOrgOptions, type MightyCallPushOrgOptions } from "./org.js";

/**
 * MightyCall bodies are about a kilobyte. Native ones are parsed before they are authenticated (the
 * key is inside), so the default limit is kept far below the pipeline's 8 MiB.
 */
export const MIGHTYCALL_DEFAULT_MAX_BODY_BYTES = 256 * 1024;

const KNOWN_TYPES: readonly string[] = [...mightyCallPushEventTypes, ...mightyCallNativeEventTypes];

/** The `on` map: one typed handler per event name, push (`call.completed`) and native (`IncomingCallCompleted`) alike. */
export type MightyCallHandlers = {
  [K in MightyCallEventType]?: (event: MightyCallEventOf<K>, context: HandlerContext) => Awaitable<unknown>;
};

export interface MightyCallPushOptions extends MightyCallPushOrgOptions {
  /** The secret senders put in `Authorization: Bearer <secret>`. Several while rotating. */
  secret: string | readonly string[];
}

/**
 * One MightyCall account: its API key, and where its events' organisation comes from (`orgId`,
 * `orgFromUrl`, `resolveBusinessNumber`: see `MightyCallNativeOrgOptions`).
 */
export interface MightyCallNativeSingleAccountOptions extends MightyCallNativeOrgOptions {
  /**
   * The account's API key (MightyCall → Integrations → API), which MightyCall puts in every event's
   * `ApiKey`. Several only while rotating ONE account's key (the new and the old): any of them
   * admits an event, and the organisation then comes from `orgId`, the URL or the business number —
   * which the sender chooses. So `orgFromUrl` and `resolveBusinessNumber` are safe only when every
   * key here is that one account's. Several accounts (each tenant with its own key) need `accounts`,
   * which ties each key to its organisation.
   */
  apiKey: string | readonly string[];
  accounts?: undefined;
}

/** One of several MightyCall accounts: its key(s) and the organisation its events belong to. */
export interface MightyCallNativeAccount {
  /** This account's API key; several while rotating it. A key may belong to one account only. */
  apiKey: string | readonly string[];
  /** The organisation every event carrying one of this account's keys is recorded under. */
  orgId: string;
}

/**
 * Several MightyCall accounts on one URL: an event belongs to the account whose key its `ApiKey`
 * is (compared in constant time against every account's keys), whatever URL it was posted to or
 * numbers it names — so one tenant's key can never record events under another tenant.
 */
export interface MightyCallNativeAccountsOptions {
  accounts: readonly MightyCallNativeAccount[];
  apiKey?: undefined;
  orgId?: undefined;
  orgFromUrl?: undefined;
  resolveBusinessNumber?: undefined;
}

/** `apiKey` (+ `orgId`, `orgFromUrl` or `resolveBusinessNumber`) for one account, or `accounts` for several. */
export type MightyCallNativeOptions = MightyCallNativeSingleAccountOptions | MightyCallNativeAccountsOptions;

export interface MightyCallHandlerOptions extends PipelineOptions {
  /** Accept the push format (`call.completed`, `sms.*`, `recording.available`, `report.*`). */
  push?: MightyCallPushOptions | undefined;
  /**
   * Accept MightyCall's native call events (`IncomingCall`…`CallbackCallCompleted`) and its Echo URL
   * check: `{ apiKey, orgId | orgFromUrl | resolveBusinessNumber }` for one account, or
   * `{ accounts: [{ apiKey, orgId }, …] }` for several (each key then names its organisation).
   */
  native?: MightyCallNativeOptions | undefined;
  on?: MightyCallHandlers;
  /** Native EventTypes MightyCall added after this version; recorded and acknowledged either way. */
  onUnknown?: (event: MightyCallUnknownNativeEvent, context: HandlerContext) => Awaitable<unknown>;
}

/**
 * Receives MightyCall webhooks of both formats on one URL: push events authenticated by their
 * Bearer token, native events by the account key in their body (removed before anything is stored
 * or logged), the Echo URL check answered first. Each event is validated, recorded once (with a
 * storage), merged into its call, message, recording or report record, and handed to your handler.
 *
 * @example
 * // One MightyCall account (its events may be spread over organisations by URL or number).
 * const handler = createMightyCallHandler({
 *   push: { secret: process.env.MIGHTYCALL_WEBHOOK_SECRET!, resolveIntegration: (id) => lookupOrg(id) },
 *   native: { apiKey: process.env.MIGHTYCALL_API_KEY!, orgFromUrl: (url) => url.searchParams.get("org") },
 *   storage: createMemoryStorage(),
 *   on: { IncomingCallCompleted: async (event) => console.log(event.Body.Id) },
 * });
 * export const POST = (request: Request) => handler.fetch(request);
 *
 * @example
 * // Several accounts, one per tenant: the key an event carries decides its organisation.
 * createMightyCallHandler({
 *   native: { accounts: [{ apiKey: keyOfA, orgId: "org-a" }, { apiKey: [newKeyOfB, oldKeyOfB], orgId: "org-b" }] },
 *   storage,
 * });
 */
export function createMightyCallHandler(options: MightyCallHandlerOptions): WebhookHandler {
  const pushSecrets = options.push ? normalizeSecrets(options.push.secret, "push.secret") : [];
  if (options.push && pushSecrets.length === 0)
    throw new WebhookConfigError("push.secret is empty: give the Bearer secret, or leave push out.");
  const native = options.native;
  const nativeAccounts = native?.accounts !== undefined ? normalizeAccounts(native) : undefined;
  const nativeApiKeys = native && !nativeAccounts ? normalizeSecrets(native.apiKey, "native.apiKey") : [];
  if (native && !nativeAccounts && nativeApiKeys.length === 0) {
    throw new WebhookConfigError(
      "native.apiKey is empty: give the account's API key (or native.accounts for several), or leave native out.",
    );
  }
  if (pushSecrets.length === 0 && nativeApiKeys.length === 0 && !nativeAccounts) {
    throw new WebhookConfigError(
      "Configure push.secret (Bearer-authenticated push events) and/or native.apiKey or native.accounts (MightyCall's native events). Refusing to accept unauthenticated webhooks.",
    );
  }
  if (native && !nativeAccounts) checkNativeOrgOptions(native);
  const definition = mightyCallDefinition({
    pushSecrets,
    nativeApiKeys,
    nativeAccounts,
    push: options.push,
    native: nativeAccounts ? undefined : native,
  });
  return createWebhookHandler(
    definition,
    { on: options.on, onUnknown: options.onUnknown, isKnown: isMightyCallKnownEventType, knownTypes: KNOWN_TYPES },
    { ...options, maxBodyBytes: options.maxBodyBytes ?? MIGHTYCALL_DEFAULT_MAX_BODY_BYTES },
  );
}

/**
 * Checks `native.accounts` at construction: alone (an org resolver beside it would reopen what it
 * closes), non-empty, each account with a key and an organisation, and no key shared by two
 * accounts — such a key could not say whose an event is. Messages name accounts by index, never a key.
 */
function normalizeAccounts(native: MightyCallNativeOptions): MightyCallAccountKeys[] {
  const mixed = (["apiKey", "orgId", "orgFromUrl", "resolveBusinessNumber"] as const).filter((name) => native[name] !== undefined);
  if (mixed.length > 0) {
    throw new WebhookConfigError(
      `native.accounts names each account's organisation: remove native.${mixed.join(" and native.")} (one account's apiKey with orgId, orgFromUrl or resolveBusinessNumber is the other form).`,
    );
  }
  const accounts = native.accounts;
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new WebhookConfigError("native.accounts is empty: give at least one { apiKey, orgId }, or leave native out.");
  }
  const owner = new Map<string, number>();
  return accounts.map((account: MightyCallNativeAccount, index) => {
    const name = `native.accounts[${index}]`;
    const apiKeys = normalizeSecrets(account?.apiKey, `${name}.apiKey`);
    if (apiKeys.length === 0) throw new WebhookConfigError(`${name}.apiKey is empty: give the account's API key.`);
    if (typeof account.orgId !== "string" || account.orgId === "")
      throw new WebhookConfigError(`${name}.orgId must be a non-empty string.`);
    for (const key of apiKeys) {
      const other = owner.get(key);
      if (other !== undefined && other !== index) {
        throw new WebhookConfigError(`${name}.apiKey repeats a key of native.accounts[${other}]: each key must belong to one account.`);
      }
      owner.set(key, index);
    }
    return { apiKeys, orgId: account.orgId };
  });
}
