import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type LocalEdgeFunction as LocalFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const projectDir = fileURLToPath(new URL("..", import.meta.url));
const callhooksCli = createRequire(import.meta.url).resolve("@callhooks/cli/package.json").replace(/package\.json$/, "bin/callhooks.js");

/*
 * End to end, for real: Deno serves supabase/functions/retell-campaigns against PostgreSQL +
 * PostgREST (behind a Supabase-like gateway), and signed Retell events go over HTTP. Every assertion
 * reads the rows the function wrote, through supabase-js with the service role.
 */

const apiKey = `key_campaigns_${randomUUID().replaceAll("-", "")}`;
const running = await startEdgeFunctionOrSkip({ projectDir, name: "retell-campaigns", secrets: { RETELL_API_KEY: apiKey } });

describe.skipIf(!running)("retell-campaigns Edge Function (Deno, PostgreSQL, PostgREST, supabase-js)", () => {
  const fn = running as LocalFunction;
  const db = fn?.db;
  afterAll(() => fn?.stop());

  const users = { ana: randomUUID(), ben: randomUUID(), cleo: randomUUID(), dan: randomUUID() };
  const seeded = {} as {
    acme: string;
    other: string;
    campaign: string;
    contacts: { id: string; phone_number: string; name: string }[];
  };

  beforeAll(async () => {
    await fn.stack.sql(`insert into auth.users (id) values ${Object.values(users).map((id) => `('${id}')`).join(", ")}`);
    const { data: orgs } = await db
      .from("organizations")
      .insert([
        { name: "Acme Dental", inbound_agent_id: "agent_acme_default" },
        { name: "Other Co", inbound_agent_id: null },
      ])
      .select("id, name")
      .throwOnError();
    const [acme, other] = (orgs ?? []).map((org) => org.id as string) as [string, string];
    await db
      .from("organization_members")
      .insert([
        { organization_id: acme, user_id: users.ana, role: "owner" },
        { organization_id: acme, user_id: users.ben, role: "member" },
        { organization_id: acme, user_id: users.cleo, role: "member" },
        { organization_id: other, user_id: users.dan, role: "owner" },
      ])
      .throwOnError();
    await db
      .from("phone_numbers")
      .insert([
        // retellSample's call_inbound rings +16505550199.
        { organization_id: acme, number: "+16505550199", label: "Front desk", inbound_agent_id: "agent_front_desk" },
        { organization_id: acme, number: "+16505550100", label: "Recall line", inbound_agent_id: null },
        { organization_id: other, number: "+13125550123", label: "Main" },
      ])
      .throwOnError();
    const { data: campaign } = await db
      .from("call_campaigns")
      .insert({ organization_id: acme, name: "Spring recall", agent_id: "agent_recall", status: "running" })
      .select("id")
      .single()
      .throwOnError();
    const { data: contacts } = await db
      .from("campaign_contacts")
      .insert(
        ["+14155550101", "+14155550102", "+14155550103", "+14155550104"].map((phone_number, i) => ({
          campaign_id: campaign?.id,
          organization_id: acme,
          phone_number,
          name: ["Maria Lopez", "Sam Park", "Jo Chen", "Ravi Das"][i],
        })),
      )
      .select("id, phone_number, name")
      .order("phone_number")
      .throwOnError();
    Object.assign(seeded, { acme, other, campaign: campaign?.id, contacts });
  });

  type CallEventType = "call_started" | "call_ended" | "call_analyzed";
  /** A dialer's outbound call to a campaign contact, tagged as the dialer tags it when it creates the call. */
  function campaignEvent(type: CallEventType, callId: string, contact: { id: string; phone_number: string }, call: Record<string, unknown> = {}) {
    const event = retellSample(type, { callId });
    Object.assign(event.call, {
      direction: "outbound",
      from_number: "+16505550100",
      to_number: contact.phone_number,
      agent_id: "agent_recall",
      metadata: { campaign_id: seeded.campaign, contact_id: contact.id },
      ...call,
    });
    return event;
  }

  async function send(event: unknown, key = apiKey) {
    const response = await fetch(await createSignedRetellRequest(event, { apiKey: key, url: fn.url }));
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  const row = async (table: string, id: string) => (await db.from(table).select("*").eq("id", id).single().throwOnError()).data;
  const campaign = () => row("call_campaigns", seeded.campaign);

  it("answers the CORS preflight and puts the CORS headers on webhook answers", async () => {
    const preflight = await fetch(fn.url, { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-retell-signature");
    const unsigned = await fetch(fn.url, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("follows a campaign call in order: calling, completed and counted once, then analysed", async () => {
    const contact = seeded.contacts[0] as { id: string; phone_number: string };
    const callId = "call_campaign_in_order";

    expect(await send(campaignEvent("call_started", callId, contact))).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await row("calls", callId)).toMatchObject({
      organization_id: seeded.acme,
      campaign_id: seeded.campaign,
      contact_id: contact.id,
      direction: "outbound",
      to_number: contact.phone_number,
      status: "ongoing",
      ended_at: null,
    });
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ status: "calling", call_id: callId, completed_at: null });

    expect((await send(campaignEvent("call_ended", callId, contact))).body).toMatchObject({ status: "processed" });
    const again = await send(campaignEvent("call_ended", callId, contact)); // Retell's retry
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(await row("calls", callId)).toMatchObject({
      status: "ended",
      outcome: "answered",
      disconnection_reason: "user_hangup",
      duration_ms: 95_000,
      cost_cents: 11.1,
      recording_url: "https://example.com/recordings/sample.wav",
      summary: null,
    });
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ status: "completed", outcome: "answered" });
    expect(await campaign()).toMatchObject({ processed_count: 1, total_duration_ms: 95_000, analyzed_count: 0 });

    expect((await send(campaignEvent("call_analyzed", callId, contact))).body).toMatchObject({ status: "processed" });
    expect(await row("calls", callId)).toMatchObject({
      summary: "The caller booked a cleaning for tomorrow.",
      sentiment: "Positive",
      successful: true,
      in_voicemail: false,
      custom_analysis: { appointment_booked: true },
      transcript: expect.stringContaining("I'd like to book a cleaning"),
    });
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ successful: true, sentiment: "Positive" });
    expect(await campaign()).toMatchObject({ processed_count: 1, analyzed_count: 1, successful_count: 1, success_rate: 1 });
  });

  it("ends in the same state when the events arrive backwards and twice over", async () => {
    const contact = seeded.contacts[1] as { id: string; phone_number: string };
    const callId = "call_campaign_backwards";
    const voicemail = { disconnection_reason: "voicemail_reached" };
    const analysis = { call_summary: "Reached voicemail; left a message.", user_sentiment: "Neutral", call_successful: false, in_voicemail: true };
    const analyzed = campaignEvent("call_analyzed", callId, contact, { ...voicemail, call_analysis: analysis });

    const statuses = [];
    for (const event of [analyzed, analyzed, campaignEvent("call_ended", callId, contact, voicemail), campaignEvent("call_started", callId, contact)]) {
      statuses.push((await send(event)).body.status);
    }
    statuses.push((await send(campaignEvent("call_ended", callId, contact, voicemail))).body.status);
    expect(statuses).toEqual(["processed", "duplicate", "processed", "processed", "duplicate"]);

    expect(await row("calls", callId)).toMatchObject({
      status: "ended", // call_started, last to arrive, does not take the call back to "ongoing"
      outcome: "voicemail",
      started_at: expect.any(String),
      summary: analysis.call_summary,
      successful: false,
      in_voicemail: true,
    });
    // Not "calling": call_started came after the contact was completed.
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ status: "completed", outcome: "voicemail", successful: false });
    expect(await campaign()).toMatchObject({ processed_count: 2, analyzed_count: 2, successful_count: 1, success_rate: 0.5 });
  });

  it("counts a contact once when call_ended and call_analyzed are delivered at the same moment", async () => {
    const contact = seeded.contacts[2] as { id: string; phone_number: string };
    const callId = "call_campaign_together";
    const answers = await Promise.all([send(campaignEvent("call_ended", callId, contact)), send(campaignEvent("call_analyzed", callId, contact))]);
    expect(answers.map((a) => a.body.status)).toEqual(["processed", "processed"]);
    expect(await row("calls", callId)).toMatchObject({ outcome: "answered", summary: "The caller booked a cleaning for tomorrow.", duration_ms: 95_000 });
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ status: "completed", successful: true });
    expect(await campaign()).toMatchObject({ processed_count: 3, analyzed_count: 3, successful_count: 2 });
  });

  it("refuses a forged signature (sent with the callhooks CLI) and writes nothing", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [callhooksCli, "send", "call_ended", "--call-id", "call_forged", "--bad-signature", "--expect", "401", "--url", fn.url],
      { env: { ...process.env, RETELL_API_KEY: apiKey, NO_COLOR: "1" } },
    );
    expect(stdout).toContain("401");
    expect((await db.from("calls").select("id").eq("id", "call_forged")).data).toEqual([]);
    expect((await db.from("callhooks_events").select("id").eq("call_id", "call_forged")).data).toEqual([]);
    expect(fn.output() + stdout).not.toContain(apiKey);
  });

  it("keeps a call whose metadata is not a campaign link, attributed to the number's organisation", async () => {
    const contact = seeded.contacts[3] as { id: string; phone_number: string };
    const event = campaignEvent("call_started", "call_not_a_campaign", contact, { metadata: { campaign_id: "spring", contact_id: 7 } });
    expect((await send(event)).status).toBe(200);
    expect(await row("calls", "call_not_a_campaign")).toMatchObject({ organization_id: seeded.acme, campaign_id: null, contact_id: null });
    expect(await row("campaign_contacts", contact.id)).toMatchObject({ status: "pending" });
  });

  describe("call_inbound", () => {
    const notificationsOf = async (callId: string) =>
      (await db.from("notifications").select("user_id, title, body").eq("data->>call_id", callId).throwOnError()).data ?? [];
    const activityOf = async (callId: string) =>
      (await db.from("activity_logs").select("organization_id, action, details").eq("entity_id", callId).throwOnError()).data ?? [];

    it("notifies every member once, logs the call, and answers with the number's agent", async () => {
      const event = retellSample("call_inbound", { callId: "call_inbound_1" });
      const expected = {
        call_inbound: {
          override_agent_id: "agent_front_desk",
          dynamic_variables: { organization_name: "Acme Dental", line_label: "Front desk", caller_number: "+14155550100" },
          metadata: { organization_id: seeded.acme },
        },
      };
      expect(await send(event)).toMatchObject({ status: 200, body: expected });
      // Retell retries when an answer is slow: the same answer, and nobody is notified twice.
      expect(await send(event)).toMatchObject({ status: 200, body: expected });

      const notifications = await notificationsOf("call_inbound_1");
      expect(notifications.map((n) => n.user_id).sort()).toEqual([users.ana, users.ben, users.cleo].sort());
      expect(notifications[0]).toMatchObject({ title: "Incoming call from +14155550100", body: "On Front desk" });
      expect(await activityOf("call_inbound_1")).toEqual([
        { organization_id: seeded.acme, action: "call.inbound", details: { from_number: "+14155550100", to_number: "+16505550199", notified: 3 } },
      ]);
    });

    it("greets a campaign contact calling back, with the organisation's agent when the number has none", async () => {
      const contact = seeded.contacts[0] as { phone_number: string; name: string };
      const event = retellSample("call_inbound", { callId: "call_inbound_2" });
      Object.assign(event.call_inbound, { from_number: contact.phone_number, to_number: "+16505550100" });
      const { body } = await send(event);
      expect(body.call_inbound).toMatchObject({
        override_agent_id: "agent_acme_default",
        dynamic_variables: { caller_name: contact.name, campaign_name: "Spring recall", line_label: "Recall line" },
      });
      expect(await notificationsOf("call_inbound_2")).toHaveLength(3);
    });

    it("leaves a number it does not know to Retell's own agent and tells no one", async () => {
      const event = retellSample("call_inbound", { callId: "call_inbound_3" });
      Object.assign(event.call_inbound, { to_number: "+19995550000" });
      expect(await send(event)).toMatchObject({ status: 200, body: { call_inbound: {} } });
      expect(await notificationsOf("call_inbound_3")).toEqual([]);
      expect(await activityOf("call_inbound_3")).toEqual([]);
    });
  });

  describe("row-level security", () => {
    /** What a signed-in user sees through the API: the same role and JWT claims PostgREST sets. */
    async function seenBy(userId: string) {
      const claims = JSON.stringify({ sub: userId, role: "authenticated" });
      const output = await fn.stack.sql(
        `begin; set local role authenticated; set local request.jwt.claims = '${claims}';
         select json_build_object(
           'calls', (select count(*) from public.calls),
           'campaigns', (select count(*) from public.call_campaigns),
           'contacts', (select count(*) from public.campaign_contacts),
           'notifications', (select count(*) from public.notifications),
           'foreign_notifications', (select count(*) from public.notifications where user_id <> '${userId}'),
           'activity', (select count(*) from public.activity_logs)); commit;`,
      );
      return JSON.parse(output.trim().split("\n").at(-1) as string);
    }

    it("lets members read their organisation's rows and their own notifications only", async () => {
      const acmeCalls = (await db.from("calls").select("id").eq("organization_id", seeded.acme).throwOnError()).data ?? [];
      expect(acmeCalls.length).toBeGreaterThan(0);
      expect(await seenBy(users.ben)).toEqual({
        calls: acmeCalls.length,
        campaigns: 1,
        contacts: 4,
        notifications: 2,
        foreign_notifications: 0,
        activity: 2,
      });
      expect(await seenBy(users.dan)).toEqual({ calls: 0, campaigns: 0, contacts: 0, notifications: 0, foreign_notifications: 0, activity: 0 });
    });

    it("lets a user mark their own notifications read, and nothing else", async () => {
      const asBen = (statement: string) =>
        fn.stack.sql(`begin; set local role authenticated; set local request.jwt.claims = '{"sub":"${users.ben}","role":"authenticated"}'; ${statement}; commit;`);
      const marked = await asBen("with read as (update public.notifications set read_at = now() returning user_id) select count(*) from read");
      expect(Number(marked.trim().split("\n").at(-1))).toBe(2);
      const unread = (await db.from("notifications").select("user_id").is("read_at", null).throwOnError()).data ?? [];
      expect(unread.length).toBeGreaterThan(0);
      expect(unread.some((n) => n.user_id === users.ben)).toBe(false);
      await expect(asBen("update public.notifications set title = 'x'")).rejects.toThrow(/permission denied/);
    });

    it("gives the anon key nothing and signed-in users no writes", async () => {
      await expect(fn.stack.sql("begin; set local role anon; select count(*) from public.calls; commit;")).rejects.toThrow(/permission denied/);
      await expect(
        fn.stack.sql(
          `begin; set local role authenticated; set local request.jwt.claims = '{"sub":"${users.ana}","role":"authenticated"}';
           update public.call_campaigns set processed_count = 0; commit;`,
        ),
      ).rejects.toThrow(/permission denied/);
    });
  });
});
