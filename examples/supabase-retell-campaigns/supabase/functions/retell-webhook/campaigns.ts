import type { RetellCall, RetellDisconnectionReason, RetellHandlers } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";
import { z } from "zod";

/*
 * The campaign side of a Retell dialer. callhooks has already done the hard parts before these run:
 * the signature is checked, the event is typed, a duplicate never gets here, and the event is merged
 * into the call's record (`callhooks_calls`), whatever order the events came in. So each handler only
 * projects that record into `calls` and moves the contact along; the SQL functions they call (see
 * supabase/migrations) make every step safe to run again.
 */

/**
 * How the dialer may tag a call it creates: `metadata` (or dynamic variables) `{ campaign_id, contact_id }`.
 * Untagged, an outbound call still finds its campaign in SQL: the running (`processing`) campaign of
 * the agent that made it (`agents.retell_agent_id`), and its contact with the number called.
 */
const campaignLinkSchema = z.object({ campaign_id: z.uuid(), contact_id: z.uuid() });
type CampaignLink = { campaign_id: string | null; contact_id: string | null };

export function campaignLink(call: RetellCall): CampaignLink {
  for (const source of [call.metadata, call.retell_llm_dynamic_variables]) {
    const link = campaignLinkSchema.safeParse(source);
    if (link.success) return link.data;
  }
  return { campaign_id: null, contact_id: null };
}

export type Outcome = "answered" | "voicemail" | "no_answer" | "busy" | "declined" | "failed" | "other";

const outcomes: Partial<Record<RetellDisconnectionReason, Outcome>> = {
  user_hangup: "answered",
  agent_hangup: "answered",
  call_transfer: "answered",
  inactivity: "answered",
  max_duration_reached: "answered",
  transfer_bridged: "answered",
  transfer_cancelled: "answered",
  voicemail_reached: "voicemail",
  ivr_reached: "voicemail",
  dial_no_answer: "no_answer",
  registered_call_timeout: "no_answer",
  dial_busy: "busy",
  user_declined: "declined",
  dial_failed: "failed",
  invalid_destination: "failed",
  telephony_provider_permission_denied: "failed",
  telephony_provider_unavailable: "failed",
  sip_routing_error: "failed",
  concurrency_limit_reached: "failed",
  no_concurrency_fallback: "failed",
  no_valid_payment: "failed",
  scam_detected: "failed",
  marked_as_spam: "failed",
};

/** What the dialer reports for a contact. Retell adds reasons often: an unknown one is `other`, never an error. */
export function outcomeOf(reason: RetellDisconnectionReason | null | undefined): Outcome | null {
  if (reason == null) return null;
  return outcomes[reason] ?? (reason.startsWith("error_") ? "failed" : "other");
}

export function campaignHandlers(db: SupabaseClient): RetellHandlers {
  const rpc = async (name: string, args: Record<string, unknown>) => {
    const { error } = await db.rpc(name, args);
    // Thrown, so callhooks answers 500 and Retell delivers the event again.
    if (error) throw new Error(`${name}: ${error.message}`);
  };
  const syncCall = (call: RetellCall) => {
    const link = campaignLink(call);
    return rpc("sync_retell_call", {
      p_call_id: call.call_id,
      p_campaign_id: link.campaign_id,
      p_contact_id: link.contact_id,
      p_outcome: outcomeOf(call.disconnection_reason),
    });
  };
  const complete = (call: RetellCall) => rpc("complete_campaign_contact", { p_call_id: call.call_id });

  return {
    call_started: async ({ call }) => {
      await syncCall(call);
      await rpc("mark_campaign_contact_calling", { p_call_id: call.call_id });
    },
    call_ended: async ({ call }) => {
      await syncCall(call);
      await complete(call);
    },
    // call_analyzed carries everything call_ended did, so it completes the contact too if it comes
    // first; the contact is still counted once.
    call_analyzed: async ({ call }) => {
      await syncCall(call);
      await complete(call);
      await rpc("record_campaign_analysis", { p_call_id: call.call_id });
    },
  };
}
