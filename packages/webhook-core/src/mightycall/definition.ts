import type { ProviderDefinition } from "../pipeline/types.js";
import { answerMightyCallEcho, assertMightyCallApiKey, assertMightyCallBearer } from "./auth.js";
import { isKnownMightyCallNativeEvent, isMightyCallPushEvent, mightyCallEventType, mightyCallFormat, parseMightyCallEvent, type MightyCallEvent } from "./events.js";
import { mightyCallCallId, mightyCallEventKey } from "./keys.js";
import { mightyCallNativeRecords } from "./normalize/native.js";
import { mightyCallPushRecords } from "./normalize/push.js";
import { resolveMightyCallOrg, type MightyCallNativeOrgOptions, type MightyCallPushOrgOptions } from "./org.js";

export interface MightyCallDefinitionOptions {
  /** Bearer secrets for the push format; empty refuses push events (401). */
  pushSecrets: readonly string[];
  /** Account API keys for native events; empty refuses them (401) and disables the Echo check. */
  nativeApiKeys: readonly string[];
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
  return {
    provider: "mightycall",
    ...(options.nativeApiKeys.length > 0 && { handshake: (_request, header) => answerMightyCallEcho(header) }),
    async authenticate({ header, json }) {
      // The native format carries its credential inside the body, so the body is parsed first.
      const body = json();
      if (mightyCallFormat(body) === "native") await assertMightyCallApiKey(body, options.nativeApiKeys);
      else await assertMightyCallBearer(header("authorization"), options.pushSecrets);
    },
    parse: parseMightyCallEvent,
    async describe(event, request) {
      const key = mightyCallEventKey(event);
      const type = mightyCallEventType(event);
      const orgId = await resolveMightyCallOrg(event, request, orgOptions);
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
