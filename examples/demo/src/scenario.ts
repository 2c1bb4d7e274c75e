import type { MightyCallEventType, RetellEventType } from "@callhooks/webhook-core";
import {
  createMightyCallEchoRequest,
  createMightyCallNativeRequest,
  createMightyCallPushRequest,
  createSignedRetellRequest,
  mightyCallSample,
  retellSample,
} from "@callhooks/webhook-core/samples";

/** Demo secrets. In an app: the Retell API key with the "webhook" badge, your push secret, MightyCall's API key. */
export const secrets = {
  retell: "key_demo_0123456789abcdef",
  mightyCallPush: "push_demo_secret_7c1e",
  mightyCallApiKey: "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8f001",
};

export interface Step {
  title: string;
  /** Builds the request against the demo server's base URL. */
  request(baseUrl: string): Promise<Request> | Request;
  expectStatus: number;
  /** Fields the answer's JSON must contain. */
  expectBody?: Record<string, unknown>;
  /** A response header that must be present with this value. */
  expectHeader?: [string, string];
}

export const RETELL_CALL = "call_demo_7f3a9c21";
export const MIGHTYCALL_CALL = "5c0f8e2a-93b7-4d1e-a6f4-2b7d9c3e81a0";

const retell = (type: RetellEventType, callId = RETELL_CALL) => retellSample(type, { callId });
const signed =
  (event: unknown, options: { key?: string; tamper?: (body: string) => string } = {}) =>
  async (baseUrl: string) => {
    const url = `${baseUrl}/webhooks/retell`;
    const request = await createSignedRetellRequest(event, { apiKey: options.key ?? secrets.retell, url });
    if (!options.tamper) return request;
    return new Request(url, { method: "POST", headers: request.headers, body: options.tamper(await request.text()) });
  };
const mightyCallUrl = (baseUrl: string) => `${baseUrl}/webhooks/mightycall?org=org_demo`;
const native =
  (type: MightyCallEventType, apiKey = secrets.mightyCallApiKey) =>
  (baseUrl: string) =>
    createMightyCallNativeRequest(mightyCallSample(type, { callId: MIGHTYCALL_CALL }), { apiKey, url: mightyCallUrl(baseUrl) });
const push =
  (type: MightyCallEventType, secret = secrets.mightyCallPush) =>
  (baseUrl: string) =>
    createMightyCallPushRequest(mightyCallSample(type), { secret, url: mightyCallUrl(baseUrl) });

/** What the demo sends, in order: the life of a call on each provider, with the usual accidents of real traffic. */
export const steps: Step[] = [
  { title: "Retell call_started", request: signed(retell("call_started")), expectStatus: 200, expectBody: { status: "processed" } },
  { title: "Retell transcript_updated (mid-call)", request: signed(retell("transcript_updated")), expectStatus: 200 },
  { title: "Retell call_analyzed, before call_ended", request: signed(retell("call_analyzed")), expectStatus: 200 },
  { title: "Retell call_ended, late", request: signed(retell("call_ended")), expectStatus: 200, expectBody: { status: "processed" } },
  {
    title: "Retell call_ended again (a retry)",
    request: signed(retell("call_ended")),
    expectStatus: 200,
    expectBody: { status: "duplicate" },
  },
  {
    title: "forged signature (wrong API key)",
    request: signed(retell("call_ended"), { key: "not-the-key" }),
    expectStatus: 401,
    expectBody: { error: "invalid_signature" },
  },
  {
    title: "tampered body (changed after signing)",
    request: signed(retell("call_ended"), { tamper: (body) => body.replace('"duration_ms":95000', '"duration_ms":1') }),
    expectStatus: 401,
  },
  {
    title: "invalid payload, correctly signed: kept as quarantined",
    request: signed({ event: "call_ended", call: { call_id: 42 } }),
    expectStatus: 202,
    expectBody: { status: "quarantined" },
  },
  {
    title: "an event type Retell adds later",
    request: signed({ event: "call_paused", call: { call_id: RETELL_CALL } }),
    expectStatus: 200,
  },
  {
    title: "Retell call_inbound → the agent to use",
    request: signed(retellSample("call_inbound", { callId: "call_demo_inbound" })),
    expectStatus: 200,
    expectBody: { call_inbound: { override_agent_id: "agent_after_hours" } },
  },
  {
    title: "MightyCall Echo URL check",
    request: (baseUrl) => createMightyCallEchoRequest("echo-1234", { url: mightyCallUrl(baseUrl) }),
    expectStatus: 200,
    expectHeader: ["echo", "echo-1234"],
  },
  { title: "MightyCall IncomingCallCompleted, first", request: native("IncomingCallCompleted"), expectStatus: 200 },
  { title: "MightyCall IncomingCall", request: native("IncomingCall"), expectStatus: 200 },
  { title: "MightyCall IncomingCallConnected, late", request: native("IncomingCallConnected"), expectStatus: 200 },
  { title: "MightyCall native event with a wrong ApiKey", request: native("IncomingCallRinging", "wrong-key"), expectStatus: 401 },
  { title: "MightyCall push sms.received (Bearer)", request: push("sms.received"), expectStatus: 200 },
  {
    title: "MightyCall push with a wrong Bearer token",
    request: push("call.completed", "wrong"),
    expectStatus: 401,
    expectBody: { error: "unauthorized" },
  },
];
