import { recordVersion } from "../storage/merge.js";
import type { RecordPatch } from "../storage/types.js";
import { transcriptProgress } from "./keys.js";
import { isKnownRetellEvent, type RetellCall, type RetellEvent } from "./schemas.js";

/**
 * Orders Retell's call events for the record merge: what a later stage says about a field wins,
 * whatever order the deliveries arrive in. Mid-call events (`transcript_updated`, `transfer_*`)
 * share a stage and are ordered by how far the transcript had got.
 */
const STAGE: Record<string, number> = {
  call_started: 10,
  transcript_updated: 20,
  transfer_started: 20,
  transfer_bridged: 20,
  transfer_cancelled: 20,
  transfer_ended: 20,
  call_ended: 40,
  call_analyzed: 50,
};

export function retellCallFields(call: RetellCall): RecordPatch["fields"] {
  const phone = call.call_type === "phone_call" ? call : undefined;
  const analysis = call.call_analysis;
  return {
    status: call.call_status,
    callType: call.call_type,
    direction: phone?.direction,
    from: phone?.from_number,
    to: phone?.to_number,
    businessNumber: phone ? (phone.direction === "inbound" ? phone.to_number : phone.from_number) : undefined,
    agentId: call.agent_id,
    agentVersion: call.agent_version,
    startedAt: call.start_timestamp,
    endedAt: call.end_timestamp,
    durationMs: call.duration_ms,
    disconnectionReason: call.disconnection_reason,
    recordingUrl: call.recording_url,
    transcript: call.transcript,
    summary: analysis?.call_summary,
    sentiment: analysis?.user_sentiment,
    successful: analysis?.call_successful,
    inVoicemail: analysis?.in_voicemail,
    costCents: call.call_cost?.combined_cost,
  };
}

/** The call-record patch a Retell event contributes (none for chats and inbound webhooks). */
export function retellRecords(event: RetellEvent, key: string | null): RecordPatch[] {
  // Own keys only: an unknown event named "toString" must not find Object.prototype's.
  const stage = Object.hasOwn(STAGE, event.event) ? STAGE[event.event] : undefined;
  if (stage === undefined || !isKnownRetellEvent(event) || !("call" in event)) return [];
  const call = event.call as RetellCall;
  return [
    {
      kind: "call",
      provider: "retell",
      id: call.call_id,
      orgId: null,
      eventType: event.event,
      version: recordVersion(stage, transcriptProgress(call), key ?? event.event),
      fields: retellCallFields(call),
      data: call as Record<string, unknown>,
    },
  ];
}
