import { WebhookConfigError, WebhookValidationError } from "../errors.js";
import type { ProviderDefinition } from "../pipeline/types.js";
import {
  answerMightyCallEcho,
  assertMightyCallApiKey,
  assertMightyCallBearer,
  matchMightyCallAccount,
  type MightyCallAccountKeys,
} from "./auth.js";
import {
  isKnownMightyCallNativeEvent,
  isMightyCallNativeEvent,
  isMightyCallPushEvent,
  mightyCallEventType,
  mightyCallFormat,
  parseMightyCallEvent,
  withoutApiKey,
  type MightyCallEvent,
} from "./events.js";
import { mightyCallCallId, mightyCallEventKey, mightyCallInvalidKey } from "./keys.js";
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

  return {
    provider: "mightycall",
    ...(nativeConfigured && { handshake: (_request, header) => answerMightyCallEcho(header) }),
    async authenticate({ header, json }) {
      // The native format carries its credential inside the body, so the body is parsed first.
      const body = json();
      if (mightyCallFormat(body) === "push") await assertMightyCallBearer(header("authorization"), options.pushSecrets);
      // With accounts the key alone names the organisation: it is handed to describe().
      else if (accounts.length > 0) return { orgId: (await matchMightyCallAccount(body, accounts)).orgId };
      else await assertMightyCallApiKey(body, options.nativeApiKeys);
      return undefined;
    },
    parse: parseMightyCallEvent,
    identify(body) {
      const type = typeof body.EventType === "string" ? body.EventType : typeof body.event === "string" ? body.event : null;
      let key: string | null = null;
      try {
        key = mightyCallInvalidKey(body);
      } catch {
        key = null;
      }
      return { type, key, callId: mightyCallCallId(body as MightyCallEvent) };
    },
    redact: (body) => (mightyCallFormat(body) === "native" ? withoutApiKey(body) : body),
    async describe(event, request, auth) {
      const key = mightyCallEventKey(event);
      const type = mightyCallEventType(event);
      // An organisation the credential named (an account's key), or the one a stored event was kept
      // under, stands; the URL and the numbers are the sender's to choose, so they are not consulted.
      const known = isMightyCallNativeEvent(event) ? auth?.orgId : undefined;
      if (accounts.length > 0 && isMightyCallNativeEvent(event) && !known) {
        throw new WebhookValidationError(
          "missing_context",
          "No MightyCall account authenticated this native event, so it has no organisation.",
        );
      }
      const orgId = known ?? (await resolveMightyCallOrg(event, request, orgOptions));
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
