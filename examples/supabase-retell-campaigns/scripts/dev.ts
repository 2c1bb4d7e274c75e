/**
 * `pnpm dev`: the Edge Function on this machine, against a real PostgreSQL + PostgREST with the
 * migrations applied and a demo organisation seeded, until Ctrl-C. Nothing is kept afterwards.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { retellSample } from "@callhooks/webhook-core/samples";
import { fileURLToPath } from "node:url";
import { startEdgeFunction } from "@callhooks/storage-supabase/testing";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

// A real key (`RETELL_API_KEY=key_… pnpm dev`) lets Retell itself call the function through a tunnel.
const apiKey = process.env.RETELL_API_KEY || `key_local_${randomBytes(12).toString("hex")}`;
const port = process.env.PORT || "8000";
const dashboardPassword = process.env.DASHBOARD_PASSWORD || randomBytes(12).toString("hex");
const local = await startEdgeFunction({
  projectDir,
  name: "retell-webhook",
  secrets: { RETELL_API_KEY: apiKey, DASHBOARD_PASSWORD: dashboardPassword },
  listen: `127.0.0.1:${port}`,
});
const { db, stack } = local;

const users = [randomUUID(), randomUUID()];
await stack.sql(`insert into auth.users (id, email) values ('${users[0]}', 'ana@example.com'), ('${users[1]}', 'ben@example.com')`);
const { data: org } = await db
  .from("organizations")
  .insert({ name: "Acme Dental", inbound_agent_id: "agent_front_desk" })
  .select("id")
  .single()
  .throwOnError();
await db
  .from("profiles")
  .insert(users.map((id, i) => ({ id, organization_id: org?.id, email: ["ana@example.com", "ben@example.com"][i] })))
  .throwOnError();
// The numbers of `callhooks send call_inbound` (the callee) and of the campaign's calls (the caller).
await db
  .from("phone_numbers")
  .insert([
    { organization_id: org?.id, phone_number: "+16505550199", label: "Front desk" },
    { organization_id: org?.id, phone_number: "+16505550100", label: "Recall line" },
  ])
  .throwOnError();
const { data: agent } = await db
  .from("agents")
  .insert({ organization_id: org?.id, name: "Recall agent", retell_agent_id: "agent_recall" })
  .select("id")
  .single()
  .throwOnError();
const { data: campaign } = await db
  .from("call_campaigns")
  .insert({ organization_id: org?.id, agent_id: agent?.id, name: "Spring recall", status: "processing", total_numbers: 1 })
  .select("id")
  .single()
  .throwOnError();
const { data: contact } = await db
  .from("campaign_contacts")
  .insert({ campaign_id: campaign?.id, phone: "+14155550101", name: "Maria Lopez" })
  .select("id")
  .single()
  .throwOnError();

// One campaign call's three events, tagged as a dialer tags the calls it creates.
const events = mkdtempSync(join(tmpdir(), "retell-campaign-call-"));
for (const [i, type] of (["call_started", "call_ended", "call_analyzed"] as const).entries()) {
  const event = retellSample(type, { callId: "call_demo_campaign_1" });
  Object.assign(event.call, {
    direction: "outbound",
    from_number: "+16505550100",
    to_number: "+14155550101",
    agent_id: "agent_recall",
    metadata: { campaign_id: campaign?.id, contact_id: contact?.id },
  });
  writeFileSync(join(events, `${i + 1}-${type}.json`), JSON.stringify(event, null, 2));
}

console.log(`
retell-webhook is serving on ${local.url} (Deno), against PostgreSQL + PostgREST with the migrations applied.
Seeded: organisation "Acme Dental" (2 profiles), numbers +16505550199 and +16505550100, agent "agent_recall",
and its campaign "Spring recall" (processing) with one contact.

In another terminal, in examples/supabase-retell-campaigns:

  export RETELL_API_KEY=${process.env.RETELL_API_KEY ? "<the key you started it with>" : apiKey}
  pnpm callhooks send call_inbound --url ${local.url}                  # notifications, activity log, the agent's answer
  pnpm callhooks send ${events} --url ${local.url}   # a campaign call, start to analysis
  pnpm callhooks send call_ended --bad-signature --expect 401 --url ${local.url}

  psql "${stack.databaseUrl}" -c "table call_campaigns" -c "table campaign_contacts" -c "table calls" -c "table notifications"

The callhooks console: ${local.url}/retell-webhook/console/   (user admin, password ${dashboardPassword})

Expose it to Retell: cloudflared tunnel --url ${local.url}   (or: ngrok http ${port})
Ctrl-C stops everything and drops the database.`);

const stop = async () => {
  rmSync(events, { recursive: true, force: true });
  await local.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
