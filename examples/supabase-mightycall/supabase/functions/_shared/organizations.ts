import type { SupabaseClient } from "@supabase/supabase-js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which organisation an event belongs to, for the handler's organisation options. callhooks calls
 * these only for an authenticated event; when all of them come back empty it keeps the event as
 * quarantined (202), written to no organisation's tables. A failed lookup throws: 500, so MightyCall
 * delivers the event again.
 */
export function organizationLookups(db: SupabaseClient) {
  async function orgOf(table: string, column: string, value: string, filters: Record<string, unknown> = {}): Promise<string | null> {
    let query = db.from(table).select("org_id").eq(column, value).not("org_id", "is", null);
    for (const [name, wanted] of Object.entries(filters)) query = query.eq(name, wanted);
    const { data, error } = await query.limit(1).maybeSingle<{ org_id: string }>();
    if (error) throw new Error(`${table} lookup: ${error.message}`);
    return data?.org_id ?? null;
  }
  // Ids are uuids: anything else is no integration of ours (and would be a query error, not a 400).
  const forIntegration = (integrationId: string) =>
    uuid.test(integrationId) ? orgOf("org_integrations", "id", integrationId, { active: true }) : null;
  return {
    /** Push events that name `org_id`: only our own organisations (a stranger's id is quarantined, never written to its tables). */
    forOrg: async (orgId: string) => {
      if (!uuid.test(orgId)) return null;
      const { data, error } = await db.from("organizations").select("id").eq("id", orgId).maybeSingle<{ id: string }>();
      if (error) throw new Error(`organizations lookup: ${error.message}`);
      return data?.id ?? null;
    },
    /** Push events that carry `integration_id` instead of `org_id` (the hand-written functions' `org_integrations`). */
    forIntegration,
    /** Native events name no tenant: the URL given to MightyCall can (`…/mightycall-webhook?integration=<id>`). */
    fromUrl: (url: URL) => {
      const integrationId = url.searchParams.get("integration");
      return integrationId ? forIntegration(integrationId) : null;
    },
    /** Otherwise the business number (the callee of an inbound call, the caller of an outbound one) says whose call it is. */
    forNumber: (number: string) => orgOf("phone_numbers", "number", number),
  };
}
