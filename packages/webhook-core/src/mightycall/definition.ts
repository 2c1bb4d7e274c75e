import { WebhookConfigError, WebhookValidationError } from "../errors.js";
import type { IncomingWebhook, ProviderDefinition } from "../pipeline/types.js";
import { answerMightyCallEcho, assertMightyCallApiKey, assertMightyCallBearer, matchMightyCallAccount, type MightyCallAccountKeys } from "./auth.js";
import {
  isKnownMightyCallNativeEvent,
  isMightyCallNativeEvent,
  isMightyCallPushEvent,
  mightyCallEventType,
  mightyCallFormat,
  parseMightyCallEvent,
  type MightyCallEvent,
} from "./events.js";
import { mightyCallCallId, mightyCallEventKey } from "./keys.js";
import { mightyCallNativeRecords } from "./normalize/native.js";
import { mightyCallPushRecords } from "./normalize/push.js";
import { resolveMightyCallOrg, type MightyCallNativeOrgOptions, type MightyCallPushOrgOptions } from "./org.js";

export type { MightyCallAccountKeys } from "./auth.js";

export interface MightyCallDefinitionOptions {
  /** Bearer secrets for the push format; empty refuses push events (401). */
  pushSecrets: readonly string[];
  /**
   * ONE account's API keys for native events (its current key and, while rotating, the previous);
   * the organisation then comes from `native`. Empty, with no `nativeAccounts`, refuses native events
   * (401) and disables the Echo check.
   */
  nativeApiKeys: readonly string[];
  /**
   * Several accounts, each with its own keys and organisation: a native event belongs to the
   * account whose key it carries. Exclusive with `nativeApiKeys` and `native`; keys must not repeat
   * across accounts (`createMightyCallHandler` checks all of this).
   */
  nativeAccounts?: readonly MightyCallAccountKeys[] | undefined;
  push?: MightyCallPushOrgOptions;
  native?: MightyCallNativeOrgOptions;
}

/**
 * What makes MightyCall MightyCall: two formats behind one URL. The body decides the format
 * (`EventType` → native), and each format is authenticated by its own credential only, so a secret
 * configured for one never admits the other.
 */
export function mightyCallDefinition(options: MightyCallDefinitionOptions): ProviderDefinition<MightyCallEvent> {
  const orgOptions = { push: options.push ?? {}, native: options.native ?? {} };
  const accounts = options.nativeAccounts ?? [];
  if (accounts.length > 0 && (options.nativeApiKeys.length > 0 || options.native)) {
    throw new WebhookConfigError("nativeAccounts name each account's organisation: do not combine them with nativeApiKeys or native.");
  }
  const nativeConfigured = options.nativeApiKeys.length > 0 || accounts.length > 0;
  /*
   * The account `authenticate` matched, for `describe` to take its organisation from: the event has
   * lost its ApiKey by then (`parse` removes it), and the generic pipeline passes the same request
   * object to both. Weak, so a request's entry goes with the request.
   */
  const matchedAccounts = new WeakMap<IncomingWebhook, MightyCallAccountKeys>();

  /** The organisation of the account that authenticated this request (accounts mode only). */
  const accountOrg = (request: IncomingWebhook | undefined): string => {
    const account = request && matchedAccounts.get(request);
    if (!account) {
      // Only reachable by calling describe() without authenticate() for the same request object.
      throw new WebhookValidationError("missing_context", "No MightyCall account authenticated this native event, so it has no organisation.");
    }
    matchedAccounts.delete(request);
    return account.orgId;
  };

  return {
    provider: "mightycall",
    ...(nativeConfigured && { handshake: (_request, header) => answerMightyCallEcho(header) }),
    async authenticate({ request, header, json }) {
      // The native format carries its credential inside the body, so the body is parsed first.
      const body = json();
      if (mightyCallFormat(body) === "push") await assertMightyCallBearer(header("authorization"), options.pushSecrets);
      else if (accounts.length > 0) matchedAccounts.set(request, await matchMightyCallAccount(body, accounts));
      else await assertMightyCallApiKey(body, options.nativeApiKeys);
    },
    parse: parseMightyCallEvent,
    async describe(event, request) {
      const key = mightyCallEventKey(event);
      const type = mightyCallEventType(event);
      // With accounts the key alone names the organisation: the URL and the numbers are the
      // sender's to choose, so they are not consulted.
      const orgId =
        accounts.length > 0 && isMightyCallNativeEvent(event) ? accountOrg(request) : await resolveMightyCallOrg(event, request, orgOptions);
      const context = { key: key ?? type, orgId };
      const records = isMightyCallPushEvent(event)
        ? mightyCallPushRecords(event, context)
        : isKnownMightyCallNativeEvent(event)
          ? mightyCallNativeRecords(event, context)
          : // An EventType added later: kept in the inbox, but what it means for the call is unknown.
            [];
      // `parse` already removed the ApiKey, so the event is what may be stored and replayed.
      return { type, key, callId: mightyCallCallId(event), orgId, records, payload: event };
    },
  };
}
