import { WebhookConfigError, WebhookValidationError } from "../errors.js";
import type { Awaitable, IncomingWebhook } from "../pipeline/types.js";
import { isMightyCallPushEvent, type MightyCallEvent } from "./events.js";
import {
  isMightyCallNativeEventType,
  nativeEventMeaning,
  type MightyCallUnknownNativeEvent,
  type MightyCallNativeEvent,
} from "./native-schemas.js";
import type { MightyCallPushEvent } from "./push-schemas.js";

type OrgAnswer = Awaitable<string | null | undefined>;

/** How push events find their organisation. */
export interface MightyCallPushOrgOptions {
  /** Your organisation id for an `integration_id` (null when unknown: the event is refused, 400). */
  resolveIntegration?:
    | ((integrationId: string, context: { event: MightyCallPushEvent; request: IncomingWebhook | undefined }) => OrgAnswer)
    | undefined;
  /**
   * Checks (or maps) the `org_id` an event names: return the organisation id to use, or null when
   * it is not one of yours — the event is then refused with 400 before anything is stored. Without
   * it, `org_id` is trusted as sent (the sender is authenticated by the Bearer secret).
   */
  resolveOrg?: ((orgId: string, context: { event: MightyCallPushEvent; request: IncomingWebhook | undefined }) => OrgAnswer) | undefined;
}

/**
 * How a single account's native events, which name no tenant, find their organisation. Give exactly one way:
 * - `orgId`: one MightyCall account, one organisation;
 * - `orgFromUrl`: read it from the webhook URL you gave MightyCall (a path segment or a query);
 * - `resolveBusinessNumber`: look up who owns the business number (`To` inbound, `From` outbound);
 * `orgFromUrl` and `resolveBusinessNumber` may be combined (the URL is tried first).
 *
 * The URL and the numbers are chosen by whoever holds the key, so these resolvers are for ONE
 * account's key (its events spread over organisations). Several accounts, each with its own key,
 * need `native.accounts`: there the key decides the organisation and none of these apply.
 */
export interface MightyCallNativeOrgOptions {
  orgId?: string | undefined;
  orgFromUrl?: ((url: URL, context: { request: IncomingWebhook }) => OrgAnswer) | undefined;
  resolveBusinessNumber?:
    | ((
        businessNumber: string,
        context: { event: MightyCallNativeEvent | MightyCallUnknownNativeEvent; request: IncomingWebhook | undefined },
      ) => OrgAnswer)
    | undefined;
}

const missing = (message: string) => new WebhookValidationError("missing_context", message);
const found = (value: string | null | undefined): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Refuses, at construction, a native configuration that could never name an organisation. */
export function checkNativeOrgOptions(options: MightyCallNativeOrgOptions): void {
  const resolvers = options.orgFromUrl !== undefined || options.resolveBusinessNumber !== undefined;
  if (options.orgId !== undefined && (typeof options.orgId !== "string" || options.orgId === "")) {
    throw new WebhookConfigError("native.orgId must be a non-empty string.");
  }
  if (options.orgId !== undefined && resolvers) {
    throw new WebhookConfigError("native.orgId is a fixed organisation: do not combine it with orgFromUrl or resolveBusinessNumber.");
  }
  if (options.orgId === undefined && !resolvers) {
    throw new WebhookConfigError(
      "MightyCall native events name no organisation: set native.orgId (one account), native.orgFromUrl (per-tenant webhook URLs) or native.resolveBusinessNumber.",
    );
  }
}

async function pushOrg(
  event: MightyCallPushEvent,
  request: IncomingWebhook | undefined,
  options: MightyCallPushOrgOptions,
): Promise<string> {
  if (event.org_id) {
    if (!options.resolveOrg) return event.org_id;
    const orgId = found(await options.resolveOrg(event.org_id, { event, request }));
    if (!orgId) throw missing("The event's org_id is not a known organisation (push.resolveOrg found none).");
    return orgId;
  }
  if (!event.integration_id) throw missing("The event carries neither org_id nor integration_id: no organisation context.");
  if (!options.resolveIntegration) {
    throw missing("The event carries integration_id but no org_id, and this handler has no push.resolveIntegration to map it.");
  }
  const orgId = found(await options.resolveIntegration(event.integration_id, { event, request }));
  if (!orgId) throw missing("The event's integration_id is not known (push.resolveIntegration found no organisation).");
  return orgId;
}

/** The numbers that may be the business's, most likely first. */
function businessNumbers(event: MightyCallNativeEvent | MightyCallUnknownNativeEvent): string[] {
  const body = (event as { Body?: unknown }).Body;
  const { From: from, To: to } = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? [value] : []);
  if (isMightyCallNativeEventType(event.EventType)) {
    return nativeEventMeaning(event.EventType).direction === "inbound" ? text(to) : text(from);
  }
  // An EventType added later: its direction is unknown, so both numbers are offered, callee first.
  return [...text(to), ...text(from)];
}

async function nativeOrg(
  event: MightyCallNativeEvent | MightyCallUnknownNativeEvent,
  request: IncomingWebhook | undefined,
  options: MightyCallNativeOrgOptions,
): Promise<string> {
  if (options.orgId) return options.orgId;
  if (options.orgFromUrl) {
    if (request?.url) {
      const orgId = found(await options.orgFromUrl(new URL(request.url, "http://localhost"), { request }));
      if (orgId) return orgId;
    } else if (!options.resolveBusinessNumber) {
      throw missing("native.orgFromUrl needs the request URL: pass url to handler.handle().");
    }
  }
  if (options.resolveBusinessNumber) {
    for (const number of businessNumbers(event)) {
      const orgId = found(await options.resolveBusinessNumber(number, { event, request }));
      if (orgId) return orgId;
    }
  }
  throw missing(
    options.resolveBusinessNumber
      ? "No organisation for this MightyCall event: neither its webhook URL nor its business number resolved to one."
      : "No organisation for this MightyCall event: its webhook URL did not resolve to one.",
  );
}

/** The event's organisation, or a 400 (`missing_context`) saying why there is none. */
export function resolveMightyCallOrg(
  event: MightyCallEvent,
  request: IncomingWebhook | undefined,
  options: { push: MightyCallPushOrgOptions; native: MightyCallNativeOrgOptions },
): Promise<string> {
  return isMightyCallPushEvent(event) ? pushOrg(event, request, options.push) : nativeOrg(event, request, options.native);
}
