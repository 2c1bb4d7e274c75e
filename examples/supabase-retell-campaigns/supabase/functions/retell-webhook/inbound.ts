import type { RetellCallInboundEvent, RetellCallInboundResponse } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";

/** What `record_inbound_call` (supabase/migrations) found and wrote; null for a number that is not ours. */
interface InboundLine {
  organization_id: string;
  organization_name: string;
  line_label: string | null;
  agent_id: string | null;
  caller_name: string | null;
  campaign_name: string | null;
}

/**
 * Retell asks, while the caller hears ringing, which agent should answer a call to one of our
 * numbers. One SQL function, in one transaction, finds the organisation that owns the number,
 * creates the call's `calls` row, notifies each member ("Incoming Call Received") and logs the
 * activity; the answer then names the number's agent (else the organisation's) with what the agent
 * should know. `key` is the event's duplicate key: a retry writes nothing twice (callhooks already
 * answers true duplicates with the stored answer, without running this).
 */
export async function answerInbound(
  db: SupabaseClient,
  { call_inbound: inbound }: RetellCallInboundEvent,
  key: string,
): Promise<RetellCallInboundResponse> {
  const { data, error } = await db.rpc("record_inbound_call", {
    p_key: key,
    p_call_id: inbound.call_id ?? null,
    p_from: inbound.from_number,
    p_to: inbound.to_number,
    p_agent_id: inbound.agent_id ?? null,
  });
  // Thrown, so callhooks answers 500 and Retell asks again.
  if (error) throw new Error(`record_inbound_call: ${error.message}`);
  const line = data as InboundLine | null;
  // Not one of ours: an empty answer, so Retell connects the number's own inbound agent.
  if (!line) return { call_inbound: {} };

  return {
    call_inbound: {
      ...(line.agent_id && { override_agent_id: line.agent_id }),
      // Dynamic variables are strings only: Retell refuses the whole answer otherwise.
      dynamic_variables: {
        organization_name: line.organization_name,
        line_label: line.line_label ?? "",
        caller_number: inbound.from_number,
        ...(line.campaign_name && { caller_name: line.caller_name ?? "", campaign_name: line.campaign_name }),
      },
      // Becomes the call's metadata: its later events, and Retell's dashboard, say whose call it is.
      metadata: { organization_id: line.organization_id },
    },
  };
}
