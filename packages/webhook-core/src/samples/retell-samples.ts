import type { RetellCall, RetellEventOf, RetellEventType } from "../retell/schemas.js";

export interface RetellSampleOptions {
  callId?: string;
  chatId?: string;
  /** Epoch ms the call started at (default 2026-01-01T12:00:00Z). */
  startedAt?: number;
}

const AGENT = "agent_sample0000000000000000";

function sampleCall(status: RetellCall["call_status"], options: RetellSampleOptions) {
  const startedAt = options.startedAt ?? Date.UTC(2026, 0, 1, 12);
  return {
    call_type: "phone_call" as const,
    call_id: options.callId ?? "call_sample000000000000000000",
    agent_id: AGENT,
    agent_version: 1,
    agent_name: "Sample Receptionist",
    call_status: status,
    direction: "inbound" as const,
    from_number: "+14155550100",
    to_number: "+16505550199",
    metadata: { customer_id: "cus_123" },
    retell_llm_dynamic_variables: { customer_name: "Ana" },
    start_timestamp: startedAt,
  };
}

const transcript = [
  { role: "agent" as const, content: "Hello, how can I help?", words: [{ word: "Hello,", start: 0.4, end: 0.8 }] },
  { role: "user" as const, content: "I'd like to book a cleaning. ¿Mañana?", words: [{ word: "I'd", start: 2.1, end: 2.3 }] },
];
const transcriptText = "Agent: Hello, how can I help?\nUser: I'd like to book a cleaning. ¿Mañana?\n";

function ended(options: RetellSampleOptions) {
  const call = sampleCall("ended", options);
  return {
    ...call,
    end_timestamp: call.start_timestamp + 95_000,
    duration_ms: 95_000,
    disconnection_reason: "user_hangup" as const,
    transcript: transcriptText,
    transcript_object: transcript,
    transcript_with_tool_calls: transcript,
    recording_url: "https://example.com/recordings/sample.wav",
    call_cost: {
      product_costs: [{ product: "retell_platform", unit_price: 0.1167, cost: 11.1 }],
      total_duration_seconds: 95,
      total_duration_unit_price: 0.1167,
      combined_cost: 11.1,
    },
  };
}

function sampleChat(status: "ongoing" | "ended", options: RetellSampleOptions) {
  const startedAt = options.startedAt ?? Date.UTC(2026, 0, 1, 12);
  return {
    chat_id: options.chatId ?? "chat_sample000000000000000000",
    agent_id: AGENT,
    chat_status: status,
    chat_type: "sms_chat" as const,
    start_timestamp: startedAt,
    ...(status === "ended" && { end_timestamp: startedAt + 60_000, transcript: "Agent: Hi!\nUser: Hello\n" }),
  };
}

const transfer = {
  transfer_destination: { number: "+18005550177" },
  transfer_option: { type: "cold_transfer" },
};

/**
 * A small, valid example of every Retell webhook, for tests, the demo and `callhooks send`.
 * Real traffic is larger (see the fixtures), but has the same shape.
 */
export function retellSample<K extends RetellEventType>(type: K, options: RetellSampleOptions = {}): RetellEventOf<K> {
  const mid = { ...sampleCall("ongoing", options), transcript: transcriptText, transcript_object: transcript };
  const samples: { [T in RetellEventType]: () => unknown } = {
    call_started: () => ({ event: "call_started", call: sampleCall("ongoing", options) }),
    call_ended: () => ({ event: "call_ended", call: ended(options) }),
    call_analyzed: () => ({
      event: "call_analyzed",
      call: {
        ...ended(options),
        call_analysis: {
          call_summary: "The caller booked a cleaning for tomorrow.",
          user_sentiment: "Positive",
          call_successful: true,
          in_voicemail: false,
          custom_analysis_data: { appointment_booked: true },
        },
      },
    }),
    transcript_updated: () => ({ event: "transcript_updated", call: { ...mid, transcript_with_tool_calls: transcript } }),
    transfer_started: () => ({ event: "transfer_started", call: mid, ...transfer }),
    transfer_bridged: () => ({ event: "transfer_bridged", call: mid, ...transfer }),
    transfer_cancelled: () => ({ event: "transfer_cancelled", call: mid, ...transfer }),
    transfer_ended: () => ({
      event: "transfer_ended",
      call: { ...mid, transfer_destination: "+18005550177", transfer_end_timestamp: mid.start_timestamp + 60_000 },
    }),
    chat_started: () => ({ event: "chat_started", chat: sampleChat("ongoing", options) }),
    chat_ended: () => ({ event: "chat_ended", chat: sampleChat("ended", options) }),
    chat_analyzed: () => ({
      event: "chat_analyzed",
      chat: { ...sampleChat("ended", options), chat_analysis: { chat_summary: "Rescheduled.", chat_successful: true } },
    }),
    call_inbound: () => ({
      event: "call_inbound",
      event_timestamp: options.startedAt ?? Date.UTC(2026, 0, 1, 12),
      call_inbound: {
        agent_id: AGENT,
        agent_version: 1,
        from_number: "+14155550100",
        to_number: "+16505550199",
        ...(options.callId && { call_id: options.callId }),
      },
    }),
    chat_inbound: () => ({
      event: "chat_inbound",
      chat_inbound: {
        agent_id: AGENT,
        agent_version: 1,
        from_number: "+14155550100",
        to_number: "+16505550199",
        ...(options.chatId && { chat_id: options.chatId }),
      },
    }),
  };
  return samples[type]() as RetellEventOf<K>;
}
