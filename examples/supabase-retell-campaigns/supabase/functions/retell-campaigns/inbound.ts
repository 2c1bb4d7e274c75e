import type { RetellCallInboundEvent, RetellCallInboundResponse } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";

interface Line {
  label: string | null;
  inbound_agent_id: string | null;
  organization: { id: string; name: string; inbound_agent_id: string | null; members: { user_id: string }[] };
}

/**
 * Retell asks, while the caller hears ringing, which agent should answer a call to one of our
 * numbers. The organisation that owns the number is told (one notification per member), the call is
 * logged, and the answer names the number's agent (else the organisation's) with what the agent
 * should know. `key` is the event's duplicate key: a retry after a failure half-way writes nothing
 * twice (callhooks already answers true duplicates with the stored answer, without running this).
 */
export async function answerInbound(
  db: SupabaseClient,
  { call_inbound: inbound }: RetellCallInboundEvent,
  key: string,
): Promise<RetellCallInboundResponse> {
  const { data: line, error } = await db
    .from("phone_numbers")
    .select("label, inbound_agent_id, organization:organizations(id, name, inbound_agent_id, members:organization_members(user_id))")
    .eq("number", inbound.to_number)
    .maybeSingle<Line>();
  if (error) throw new Error(`phone number lookup: ${error.message}`);
  // Not one of ours: an empty answer, so Retell connects the number's own inbound agent.
  if (!line) return { call_inbound: {} };
  const org = line.organization;
  const caller = await knownContact(db, org.id, inbound.from_number);

  if (org.members.length > 0) {
    const notified = await db.from("notifications").upsert(
      org.members.map((member) => ({
        organization_id: org.id,
        user_id: member.user_id,
        type: "inbound_call",
        title: caller ? `${caller.name ?? inbound.from_number} is calling` : `Incoming call from ${inbound.from_number}`,
        body: `On ${line.label ?? inbound.to_number}`,
        data: { from_number: inbound.from_number, to_number: inbound.to_number, call_id: inbound.call_id ?? null },
        source_key: key,
      })),
      { onConflict: "user_id,source_key", ignoreDuplicates: true },
    );
    if (notified.error) throw new Error(`notifications: ${notified.error.message}`);
  }

  const logged = await db.from("activity_logs").upsert(
    {
      organization_id: org.id,
      action: "call.inbound",
      entity_type: "call",
      entity_id: inbound.call_id ?? null,
      details: { from_number: inbound.from_number, to_number: inbound.to_number, notified: org.members.length },
      source_key: key,
    },
    { onConflict: "source_key", ignoreDuplicates: true },
  );
  if (logged.error) throw new Error(`activity log: ${logged.error.message}`);

  const agentId = line.inbound_agent_id ?? org.inbound_agent_id;
  return {
    call_inbound: {
      ...(agentId && { override_agent_id: agentId }),
      // Dynamic variables are strings only: Retell refuses the whole answer otherwise.
      dynamic_variables: {
        organization_name: org.name,
        line_label: line.label ?? "",
        caller_number: inbound.from_number,
        ...(caller && { caller_name: caller.name ?? "", campaign_name: caller.campaign }),
      },
      // Becomes the call's metadata: its later events, and Retell's dashboard, say whose call it is.
      metadata: { organization_id: org.id },
    },
  };
}

/** A campaign contact calling back: the agent can greet them by name and knows why they call. */
async function knownContact(db: SupabaseClient, organizationId: string, number: string) {
  const { data, error } = await db
    .from("campaign_contacts")
    .select("name, campaign:call_campaigns(name)")
    .eq("organization_id", organizationId)
    .eq("phone_number", number)
    .order("created_at", { ascending: false })
    .limit(1)
    .maybeSingle<{ name: string | null; campaign: { name: string } }>();
  if (error) throw new Error(`contact lookup: ${error.message}`);
  return data && { name: data.name, campaign: data.campaign.name };
}
