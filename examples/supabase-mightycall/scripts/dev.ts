/**
 * `pnpm dev`: the Edge Function on this machine, against a real PostgreSQL + PostgREST with the
 * migrations applied and a demo organisation seeded, until Ctrl-C. Nothing is kept afterwards.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mightyCallSample } from "@callhooks/webhook-core/samples";
import { fileURLToPath } from "node:url";
import { serveEdgeFunction, startEdgeFunction } from "@callhooks/storage-supabase/testing";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

// Real credentials (`MIGHTYCALL_API_KEY=… pnpm dev`) let MightyCall itself call the function through a tunnel.
const given = { secret: process.env.MIGHTYCALL_WEBHOOK_SECRET, apiKey: process.env.MIGHTYCALL_API_KEY };
const secret = given.secret || `whsec_local_${randomBytes(12).toString("hex")}`;
const apiKey = given.apiKey || randomUUID();
const port = process.env.PORT || "8000";
const dashboardPassword = process.env.DASHBOARD_PASSWORD || randomBytes(12).toString("hex");
const local = await startEdgeFunction({
  projectDir,
  name: "mightycall-webhook",
  secrets: { MIGHTYCALL_WEBHOOK_SECRET: secret, MIGHTYCALL_API_KEY: apiKey, DASHBOARD_PASSWORD: dashboardPassword },
  listen: `127.0.0.1:${port}`,
});
const { db, stack } = local;

// The URLs the hand-written functions gave MightyCall, each its own function, as `supabase functions serve` serves them.
const secrets = { MIGHTYCALL_WEBHOOK_SECRET: secret, MIGHTYCALL_API_KEY: apiKey };
const oldNames = ["mightycall-calls-webhook", "mightycall-sms-webhook", "mightycall-recordings-webhook", "mightycall-reports-webhook"];
const old = await Promise.all(
  oldNames.map((name) =>
    serveEdgeFunction({ projectDir, name, supabaseUrl: stack.supabaseUrl, serviceRoleKey: stack.serviceRoleKey, secrets }),
  ),
);

const user = randomUUID();
const integration = randomUUID();
await stack.sql(`insert into auth.users (id, email) values ('${user}', 'ana@example.com')`);
const { data: org } = await db.from("organizations").insert({ name: "Acme Plumbing" }).select("id").single().throwOnError();
await db.from("org_members").insert({ org_id: org?.id, user_id: user, role: "agent" }).throwOnError();
// The business number of every `callhooks send` MightyCall sample.
await db.from("phone_numbers").insert({ org_id: org?.id, number: "+12125550142", label: "Main line" }).throwOnError();
await db
  .from("org_integrations")
  .insert({ id: integration, org_id: org?.id, provider: "mightycall", name: "Acme's MightyCall" })
  .throwOnError();

// Push events for this organisation (the built-in samples name a placeholder org_id).
const push = mkdtempSync(join(tmpdir(), "mightycall-push-"));
for (const [i, type] of (["call.completed", "recording.available", "sms.received", "report.daily"] as const).entries()) {
  writeFileSync(join(push, `${i + 1}-${type}.json`), JSON.stringify(mightyCallSample(type, { orgId: org?.id }), null, 2));
}

const show = (name: string, value: string, wasGiven: unknown) => `${name}=${wasGiven ? "<the one you started it with>" : value}`;
console.log(`
mightycall-webhook is serving on ${local.url} (Deno), against PostgreSQL + PostgREST with the migrations applied.
The hand-written functions' URLs, served by the same handler:
${oldNames.map((name, i) => `  ${name.padEnd(30)} ${old[i]?.url}`).join("\n")}
Seeded: organisation "Acme Plumbing" (${org?.id}), number +12125550142, integration ${integration}.

In another terminal, in examples/supabase-mightycall:

  export ${show("MIGHTYCALL_WEBHOOK_SECRET", secret, given.secret)} ${show("MIGHTYCALL_API_KEY", apiKey, given.apiKey)}
  pnpm callhooks send ${push} --url ${local.url}       # a call, its recording, an SMS, a daily report
  pnpm callhooks send IncomingCall IncomingCallConnected IncomingCallCompleted --url "${local.url}/?integration=${integration}"
  pnpm callhooks send call.completed --bad-signature --expect 401 --url ${local.url}
  curl -i -H "Echo: hello" ${local.url}                      # MightyCall's URL check

  curl -i -H "Authorization: Bearer $MIGHTYCALL_WEBHOOK_SECRET" -H "Content-Type: application/json" \\
    -d '{"event":"call.completed","call_id":"test_12345","phone_number":"+12125550142","duration":120,"status":"completed","direction":"inbound","timestamp":"2024-01-20T14:30:00Z","org_id":"${org?.id}"}' \\
    ${old[0]?.url}

  psql "${stack.databaseUrl}" -c "table calls" -c "table mightycall_recordings" -c "table mightycall_sms_messages" -c "table mightycall_reports"

The callhooks console: ${local.url}/mightycall-webhook/console/   (user admin, password ${dashboardPassword})

Expose it to MightyCall: cloudflared tunnel --url ${local.url}   (or: ngrok http ${port})
Ctrl-C stops everything and drops the database.`);

const stop = async () => {
  rmSync(push, { recursive: true, force: true });
  await Promise.all(old.map((server) => server.stop()));
  await local.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
