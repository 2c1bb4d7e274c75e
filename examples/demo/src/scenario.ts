import type { RetellEventType } from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/testing";

export interface Step {
  title: string;
  /** The event sent (an object, serialised once, as Retell sends it). */
  event: unknown;
  /** Sign with another key (a forged request). */
  forgeWith?: string;
  /** Change the body after signing (a tampered request). */
  tamper?: (body: string) => string;
  expectStatus: number;
  /** What the answer's JSON should contain. */
  expectBody?: Record<string, unknown>;
}

const CALL_ID = "call_demo_7f3a9c21";
const sample = (type: RetellEventType) => retellSample(type, { callId: CALL_ID });

/** What the demo sends, in order: the life of one call, with the usual accidents of real traffic. */
export const steps: Step[] = [
  { title: "call_started", event: sample("call_started"), expectStatus: 200, expectBody: { status: "processed" } },
  { title: "transcript_updated (mid-call)", event: sample("transcript_updated"), expectStatus: 200 },
  { title: "call_analyzed, arriving before call_ended", event: sample("call_analyzed"), expectStatus: 200 },
  { title: "call_ended, late", event: sample("call_ended"), expectStatus: 200, expectBody: { status: "processed" } },
  { title: "call_ended again (Retell's retry)", event: sample("call_ended"), expectStatus: 200, expectBody: { status: "duplicate" } },
  { title: "forged signature (wrong API key)", event: sample("call_ended"), forgeWith: "not-the-retell-key", expectStatus: 401, expectBody: { error: "invalid_signature" } },
  {
    title: "tampered body (duration changed after signing)",
    event: sample("call_ended"),
    tamper: (body) => body.replace('"duration_ms":95000', '"duration_ms":1'),
    expectStatus: 401,
  },
  { title: "invalid payload, correctly signed", event: { event: "call_ended", call: { call_id: 42 } }, expectStatus: 400, expectBody: { error: "invalid_payload" } },
  { title: "an event type Retell added later", event: { event: "call_paused", call: { call_id: CALL_ID } }, expectStatus: 200 },
  {
    title: "call_inbound → the agent to use",
    event: retellSample("call_inbound", { callId: "call_demo_inbound" }),
    expectStatus: 200,
    expectBody: { call_inbound: { override_agent_id: "agent_after_hours" } },
  },
];

export const demoCallId = CALL_ID;
