import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { LocalEdgeFunction } from "@callhooks/storage-supabase/testing";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

export const projectDir = fileURLToPath(new URL("..", import.meta.url));
export const FUNCTION = "retell-webhook";
/** The console's password (the DASHBOARD_PASSWORD secret) for this run. */
export const DASHBOARD_PASSWORD = `console_${randomUUID()}`;
const callhooksCli = createRequire(import.meta.url)
  .resolve("@callhooks/cli/package.json")
  .replace(/package\.json$/, "bin/callhooks.js");

export interface SuiteOptions {
  /** The project already ran the hand-written receiver: its tables keep their own grants and policies. */
  existing: boolean;
}

/*
 * End to end, for real: Deno serves supabase/functions/retell-webhook against PostgreSQL +
 * PostgREST (behind a Supabase-like gateway), and signed Retell events go over HTTP. Every assertion
 * reads the rows the function wrote, through supabase-js with the service role. The same suite runs
 * on a new project and on one that already has the hand-written receiver's tables.
 */
export function campaignsSuite(fn: LocalEdgeFunction, apiKey: string, options: SuiteOptions) {
  const db = fn.db;
  const users = { ana: randomUUID(), ben: randomUUID(), cleo: randomUUID(), dan: randomUUID() };
  const seeded = {} as {
    acme: string;
    other: string;
    campaign: string;
    contacts: { id: string; phone: string; name: string }[];
  };

  beforeAll(async () => {
    await fn.stack.sql(
      `insert into auth.users (id) values ${Object.values(users)
        .map((id) => `('${id}')`)
        .join(", ")}`,
    );
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
      .from("profiles")
      .insert([
        { id: users.ana, organization_id: acme, email: "ana@example.com" },
        { id: users.ben, organization_id: acme, email: "ben@example.com" },
        { id: users.cleo, organization_id: acme, email: "cleo@example.com" },
        { id: users.dan, organization_id: other, email: "dan@example.com" },
      ])
      .throwOnError();
    await db
      .from("phone_numbers")
      .insert([
        // retellSample's call_inbound rings +16505550199.
        { organization_id: acme, phone_number: "+16505550199", label: "Front desk", retell_inbound_agent_id: "agent_front_desk" },
        { organization_id: acme, phone_number: "+16505550100", label: "Recall line", retell_inbound_agent_id: null },
        { organization_id: other, phone_number: "+13125550123", label: "Main" },
      ])
      .throwOnError();
    const { data: agent } = await db
      .from("agents")
      .insert({ organization_id: acme, name: "Recall agent", retell_agent_id: "agent_recall" })
      .select("id")
      .single()
      .throwOnError();
    const { data: campaign } = await db
      .from("call_campaigns")
      .insert({ organization_id: acme, name: "Spring recall", agent_id: agent?.id, status: "processing", total_numbers: 5 })
      .select("id")
      .single()
      .throwOnError();
    const { data: contacts } = await db
      .from("campaign_contacts")
      .insert(
        ["+14155550101", "+14155550102", "+14155550103", "+14155550104", "+14155550105"].map((phone, i) => ({
          campaign_id: campaign?.id,
          phone,
          name: ["Maria Lopez", "Sam Park", "Jo Chen", "Ravi Das", "Kim Lee"][i],
        })),
      )
      .select("id, phone, name")
      .order("phone")
      .throwOnError();
    Object.assign(seeded, { acme, other, campaign: campaign?.id, contacts });
  });

  type CallEventType = "call_started" | "call_ended" | "call_analyzed";
  /** A dialer's outbound call to a campaign contact, tagged as the dialer tags it when it creates the call. */
  function campaignEvent(type: CallEventType, callId: string, contact: { id: string; phone: string }, call: Record<string, unknown> = {}) {
    const event = retellSample(type, { callId });
    Object.assign(event.call, {
      direction: "outbound",
      from_number: "+16505550100",
      to_number: contact.phone,
      agent_id: "agent_recall",
      metadata: { campaign_id: seeded.campaign, contact_id: contact.id },
      ...call,
    });
    return event;
  }
  const contact = (i: number) => seeded.contacts[i] as { id: string; phone: string; name: string };

  async function send(event: unknown, key = apiKey) {
    const response = await fetch(await createSignedRetellRequest(event, { apiKey: key, url: fn.url }));
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [callhooksCli, "send", ...args, "--url", fn.url], {
      env: { ...process.env, RETELL_API_KEY: apiKey, NO_COLOR: "1" },
    });

  const row = async (table: string, id: string) => (await db.from(table).select("*").eq("id", id).single().throwOnError()).data;
  const call = async (retellCallId: string) =>
    (await db.from("calls").select("*").eq("retell_call_id", retellCallId).maybeSingle().throwOnError()).data;
  const campaign = () => row("call_campaigns", seeded.campaign);
  const eventsOf = async (callId: string) =>
    (await db.from("callhooks_events").select("event_type, status, attempts").eq("call_id", callId).order("event_type").throwOnError())
      .data ?? [];

  it("answers the CORS preflight and puts the CORS headers on webhook answers", async () => {
    const preflight = await fetch(fn.url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-retell-signature");
    const unsigned = await fetch(fn.url, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("follows a campaign call in order: calling, completed and counted once, then analysed", async () => {
    const callId = "call_campaign_in_order";
    expect(await send(campaignEvent("call_started", callId, contact(0)))).toMatchObject({ status: 200, body: { status: "processed" } });
    const started = await call(callId);
    expect(started).toMatchObject({
      organization_id: seeded.acme,
      campaign_id: seeded.campaign,
      contact_id: contact(0).id,
      direction: "outbound",
      phone_number: contact(0).phone,
      to_number: contact(0).phone,
      agent_id: "agent_recall",
      status: "in_progress",
      call_status: "ongoing",
      ended_at: null,
    });
    expect(await row("campaign_contacts", contact(0).id)).toMatchObject({ status: "calling", call_id: started?.id, completed_at: null });

    expect((await send(campaignEvent("call_ended", callId, contact(0)))).body).toMatchObject({ status: "processed" });
    const again = await send(campaignEvent("call_ended", callId, contact(0))); // Retell's retry
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(await call(callId)).toMatchObject({
      id: started?.id,
      status: "completed",
      outcome: "answered",
      disconnect_reason: "user_hangup",
      duration_seconds: 95,
      cost_cents: 11.1,
      recording_url: "https://example.com/recordings/sample.wav",
      summary: null,
    });
    expect(await row("campaign_contacts", contact(0).id)).toMatchObject({ status: "completed", outcome: "answered" });
    expect(await campaign()).toMatchObject({ processed_numbers: 1, total_duration_seconds: 95, analyzed_count: 0 });

    expect((await send(campaignEvent("call_analyzed", callId, contact(0)))).body).toMatchObject({ status: "processed" });
    expect(await call(callId)).toMatchObject({
      summary: "The caller booked a cleaning for tomorrow.",
      sentiment: "Positive",
      successful: true,
      in_voicemail: false,
      call_analysis: expect.objectContaining({ custom_analysis_data: { appointment_booked: true } }),
      transcript: expect.stringContaining("I'd like to book a cleaning"),
    });
    expect(await row("campaign_contacts", contact(0).id)).toMatchObject({ successful: true, sentiment: "Positive" });
    expect(await campaign()).toMatchObject({ processed_numbers: 1, analyzed_count: 1, successful_count: 1, success_rate: 1 });
  });

  it("ends in the same state when the events arrive backwards and twice over", async () => {
    const callId = "call_campaign_backwards";
    const voicemail = { disconnection_reason: "voicemail_reached" };
    const analysis = {
      call_summary: "Reached voicemail; left a message.",
      user_sentiment: "Neutral",
      call_successful: false,
      in_voicemail: true,
    };
    const analyzed = campaignEvent("call_analyzed", callId, contact(1), { ...voicemail, call_analysis: analysis });

    const statuses = [];
    for (const event of [
      analyzed,
      analyzed,
      campaignEvent("call_ended", callId, contact(1), voicemail),
      campaignEvent("call_started", callId, contact(1)),
    ]) {
      statuses.push((await send(event)).body.status);
    }
    statuses.push((await send(campaignEvent("call_ended", callId, contact(1), voicemail))).body.status);
    expect(statuses).toEqual(["processed", "duplicate", "processed", "processed", "duplicate"]);

    expect(await call(callId)).toMatchObject({
      status: "completed", // call_started, last to arrive, does not take the call back to in_progress
      outcome: "voicemail",
      started_at: expect.any(String),
      summary: analysis.call_summary,
      successful: false,
      in_voicemail: true,
    });
    // Not "calling": call_started came after the contact was completed.
    expect(await row("campaign_contacts", contact(1).id)).toMatchObject({ status: "completed", outcome: "voicemail", successful: false });
    expect(await campaign()).toMatchObject({ processed_numbers: 2, analyzed_count: 2, successful_count: 1, success_rate: 0.5 });
  });

  it("counts a contact once when call_ended and call_analyzed are delivered at the same moment", async () => {
    const callId = "call_campaign_together";
    const answers = await Promise.all([
      send(campaignEvent("call_ended", callId, contact(2))),
      send(campaignEvent("call_analyzed", callId, contact(2))),
    ]);
    expect(answers.map((a) => a.body.status)).toEqual(["processed", "processed"]);
    expect(await call(callId)).toMatchObject({
      outcome: "answered",
      summary: "The caller booked a cleaning for tomorrow.",
      duration_seconds: 95,
    });
    expect(await row("campaign_contacts", contact(2).id)).toMatchObject({ status: "completed", successful: true });
    expect(await campaign()).toMatchObject({ processed_numbers: 3, analyzed_count: 3, successful_count: 2 });
  });

  it("links an untagged call to the running (processing) campaign of the agent that made it", async () => {
    const callId = "call_campaign_by_agent";
    const untagged = { metadata: {}, retell_llm_dynamic_variables: {} };
    expect((await send(campaignEvent("call_started", callId, contact(4), untagged))).status).toBe(200);
    const started = await call(callId);
    expect(started).toMatchObject({ organization_id: seeded.acme, campaign_id: seeded.campaign, contact_id: contact(4).id });
    expect(await row("campaign_contacts", contact(4).id)).toMatchObject({ status: "calling", call_id: started?.id });
    expect(
      (await send(campaignEvent("call_ended", callId, contact(4), { ...untagged, disconnection_reason: "dial_no_answer" }))).status,
    ).toBe(200);
    expect(await call(callId)).toMatchObject({ status: "failed", outcome: "no_answer" });
    expect(await row("campaign_contacts", contact(4).id)).toMatchObject({ status: "completed", outcome: "no_answer" });
    expect(await campaign()).toMatchObject({ processed_numbers: 4 });
  });

  it("keeps a call that is no campaign's (a bogus link, an agent with no running campaign), attributed to the number's organisation", async () => {
    const event = campaignEvent("call_started", "call_not_a_campaign", contact(3), {
      agent_id: "agent_adhoc",
      metadata: { campaign_id: "spring", contact_id: 7 },
    });
    expect((await send(event)).status).toBe(200);
    expect(await call("call_not_a_campaign")).toMatchObject({
      organization_id: seeded.acme,
      campaign_id: null,
      contact_id: null,
      agent_id: "agent_adhoc",
    });
    expect(await row("campaign_contacts", contact(3).id)).toMatchObject({ status: "pending" });
  });

  it("answers 500 when the database fails, so Retell delivers again, and keeps the event until a delivery succeeds", async () => {
    const callId = "call_campaign_db_down";
    const ended = campaignEvent("call_ended", callId, contact(3));
    // A failure only this call's writes hit, in the middle of the handler's work.
    await fn.stack.sql(`create function public.test_refuse_call() returns trigger language plpgsql as $$
      begin raise exception 'simulated outage'; end $$;
      create trigger test_refuse_call before insert or update on public.calls for each row
      when (new.retell_call_id = '${callId}') execute function public.test_refuse_call();`);
    try {
      const failed = await send(ended);
      expect(failed).toMatchObject({ status: 500, body: { error: "handler_failed" } });
      expect(JSON.stringify(failed.body)).not.toContain("simulated outage");
      expect(await eventsOf(callId)).toEqual([{ event_type: "call_ended", status: "failed", attempts: 1 }]);
      expect(await call(callId)).toBeNull();
      expect(await campaign()).toMatchObject({ processed_numbers: 4 });
    } finally {
      await fn.stack.sql("drop trigger test_refuse_call on public.calls; drop function public.test_refuse_call();");
    }
    // Retell's next delivery of the same event is processed, once.
    const retried = await send(ended);
    expect(retried).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await eventsOf(callId)).toEqual([{ event_type: "call_ended", status: "processed", attempts: 2 }]);
    expect(await call(callId)).toMatchObject({ campaign_id: seeded.campaign, status: "completed" });
    expect(await campaign()).toMatchObject({ processed_numbers: 5 });
  });

  it("refuses a forged signature (sent with the callhooks CLI) and writes nothing", async () => {
    const { stdout } = await cli(["call_ended", "--call-id", "call_forged", "--bad-signature", "--expect", "401"]);
    expect(stdout).toContain("401");
    expect(await call("call_forged")).toBeNull();
    expect(await eventsOf("call_forged")).toEqual([]);
    expect(fn.output() + stdout).not.toContain(apiKey);
  });

  it("passes the old test script's scenarios, sent with the callhooks CLI (test-webhook-simple.sh all)", async () => {
    const { stdout } = await cli([
      "call_started",
      "call_ended",
      "call_analyzed",
      "call_inbound",
      "--call-id",
      "call_script_all",
      "--quiet",
    ]);
    expect(stdout).toContain("4 sent, all answered 2xx");
    // retellSample's call rings the Front desk: an inbound call of Acme's.
    expect(await call("call_script_all")).toMatchObject({
      organization_id: seeded.acme,
      direction: "inbound",
      status: "completed",
      summary: expect.any(String),
    });
    expect(await eventsOf("call_script_all")).toEqual(
      ["call_analyzed", "call_ended", "call_inbound", "call_started"].map((event_type) => ({
        event_type,
        status: "processed",
        attempts: 1,
      })),
    );
  });

  describe("call_inbound", () => {
    const notificationsOf = async (callId: string) =>
      (await db.from("notifications").select("user_id, type, title, message, data, is_read").eq("data->>call_id", callId).throwOnError())
        .data ?? [];
    const activityOf = async (callId: string) =>
      (await db.from("activity_logs").select("organization_id, action, details").eq("entity_id", callId).throwOnError()).data ?? [];

    it("records the call, notifies every member once as the old function did, logs it, and answers with the number's agent", async () => {
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

      expect(await call("call_inbound_1")).toMatchObject({
        organization_id: seeded.acme,
        direction: "inbound",
        status: "registered",
        from_number: "+14155550100",
        to_number: "+16505550199",
        agent_id: "agent_front_desk",
      });
      const notifications = await notificationsOf("call_inbound_1");
      expect(notifications.map((n) => n.user_id).sort()).toEqual([users.ana, users.ben, users.cleo].sort());
      expect(notifications[0]).toMatchObject({
        type: "inbound_call",
        title: "Incoming Call Received",
        message: "New inbound call from +14155550100 to +16505550199",
        data: { from_number: "+14155550100", to_number: "+16505550199", agent_id: "agent_front_desk" },
        is_read: false,
      });
      expect(await activityOf("call_inbound_1")).toEqual([
        {
          organization_id: seeded.acme,
          action: "inbound_call_received",
          details: { from_number: "+14155550100", to_number: "+16505550199", agent_id: "agent_front_desk", notified: 3 },
        },
      ]);
    });

    it("greets a campaign contact calling back, with the organisation's agent when the number has none", async () => {
      const event = retellSample("call_inbound", { callId: "call_inbound_2" });
      Object.assign(event.call_inbound, { from_number: contact(0).phone, to_number: "+16505550100" });
      const { body } = await send(event);
      expect(body.call_inbound).toMatchObject({
        override_agent_id: "agent_acme_default",
        dynamic_variables: { caller_name: contact(0).name, campaign_name: "Spring recall", line_label: "Recall line" },
      });
      const notifications = await notificationsOf("call_inbound_2");
      expect(notifications).toHaveLength(3);
      expect(notifications[0]?.data).toMatchObject({ agent_id: "agent_acme_default", caller_name: contact(0).name });
    });

    it("then follows the same call through call_started and call_ended on the same row", async () => {
      const inboundRow = await call("call_inbound_1");
      for (const type of ["call_started", "call_ended"] as const)
        expect((await send(retellSample(type, { callId: "call_inbound_1" }))).status).toBe(200);
      expect(await call("call_inbound_1")).toMatchObject({
        id: inboundRow?.id,
        status: "completed",
        organization_id: seeded.acme,
        duration_seconds: 95,
      });
    });

    it("leaves a number it does not know to Retell's own agent and tells no one", async () => {
      const event = retellSample("call_inbound", { callId: "call_inbound_3" });
      Object.assign(event.call_inbound, { to_number: "+19995550000" });
      expect(await send(event)).toMatchObject({ status: 200, body: { call_inbound: {} } });
      expect(await notificationsOf("call_inbound_3")).toEqual([]);
      expect(await activityOf("call_inbound_3")).toEqual([]);
      expect(await call("call_inbound_3")).toBeNull();
    });
  });

  describe("row-level security", () => {
    const claims = (userId: string) => JSON.stringify({ sub: userId, role: "authenticated" });
    /** What a role sees of a table through the API: the same role and JWT claims PostgREST sets. Refused counts as nothing. */
    async function visible(table: string, role: "authenticated" | "anon", userId?: string): Promise<number> {
      const claim = userId ? `set local request.jwt.claims = '${claims(userId)}';` : "";
      try {
        const output = await fn.stack.sql(`begin; set local role ${role}; ${claim} select count(*) from public.${table}; commit;`);
        return Number(output.trim().split("\n").at(-1));
      } catch (error) {
        if (/permission denied/.test(String(error))) return 0;
        throw error;
      }
    }
    const count = async (table: string, column: string, value: string) =>
      (await db.from(table).select("*", { count: "exact", head: true }).eq(column, value).throwOnError()).count ?? 0;

    it("lets members read their organisation's rows and their own notifications only; anon nothing", async () => {
      const acmeCalls = await count("calls", "organization_id", seeded.acme);
      expect(acmeCalls).toBeGreaterThan(0);
      expect(await visible("calls", "authenticated", users.ben)).toBe(acmeCalls);
      expect(await visible("call_campaigns", "authenticated", users.ben)).toBe(1);
      expect(await visible("notifications", "authenticated", users.ben)).toBe(await count("notifications", "user_id", users.ben));
      expect(await visible("notifications", "authenticated", users.ben)).toBe(3); // call_inbound_1, _2 and the script's
      for (const table of ["calls", "call_campaigns", "notifications"]) {
        expect(await visible(table, "authenticated", users.dan)).toBe(0);
        expect(await visible(table, "anon")).toBe(0);
      }
      if (!options.existing) {
        // On tables it created; an existing project's own policies decide these.
        expect(await visible("campaign_contacts", "authenticated", users.ben)).toBe(5);
        expect(await visible("activity_logs", "authenticated", users.ben)).toBe(
          await count("activity_logs", "organization_id", seeded.acme),
        );
        expect(await visible("campaign_contacts", "authenticated", users.dan)).toBe(0);
      }
    });

    // A project that already had a notifications table keeps its own policies: only a new one gets these.
    const onNewProject = options.existing ? () => undefined : it;
    onNewProject("lets a user mark their own notifications read, and nothing else", async () => {
      const asBen = (statement: string) =>
        fn.stack.sql(`begin; set local role authenticated; set local request.jwt.claims = '${claims(users.ben)}'; ${statement}; commit;`);
      const marked = await asBen(
        "with read as (update public.notifications set is_read = true returning user_id) select count(*) from read",
      );
      expect(Number(marked.trim().split("\n").at(-1))).toBe(3);
      const unread = (await db.from("notifications").select("user_id").eq("is_read", false).throwOnError()).data ?? [];
      expect(unread.length).toBeGreaterThan(0);
      expect(unread.some((n) => n.user_id === users.ben)).toBe(false);
      await expect(asBen("update public.notifications set title = 'x'")).rejects.toThrow(/permission denied/);
      await expect(asBen("update public.call_campaigns set processed_numbers = 0")).rejects.toThrow(/permission denied/);
    });
  });

  describe("the callhooks console at /retell-webhook/console/", () => {
    const consoleUrl = `${fn.url}/retell-webhook/console/`;
    const authorization = `Basic ${btoa(`admin:${DASHBOARD_PASSWORD}`)}`;

    it("refuses anyone without the DASHBOARD_PASSWORD credentials, with no CORS header for other sites", async () => {
      for (const headers of [{}, { authorization: `Basic ${btoa("admin:wrong-password")}` }] as Array<Record<string, string>>) {
        const refused = await fetch(consoleUrl, { headers });
        expect([refused.status, await refused.text(), refused.headers.get("access-control-allow-origin")]).toEqual([
          401,
          "Authentication required.",
          null,
        ]);
      }
    });

    it("lists the events the function received, shows a call with the events that built it, and replays one", async () => {
      expect((await send(retellSample("call_ended", { callId: "call_console_1" }))).status).toBe(200);
      const inbox = await fetch(`${consoleUrl}?call=call_console_1`, { headers: { authorization } });
      expect([inbox.status, inbox.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
      const page = await inbox.text();
      const id = /<tr data-id="([0-9a-f-]{36})"/.exec(page)?.[1] as string;
      expect(page).toContain("call_ended");
      const call = await (await fetch(`${consoleUrl}calls/retell/call_console_1?org=`, { headers: { authorization } })).text();
      expect(call).toMatch(/id="timeline"[\s\S]*call_ended/);
      const replay = await fetch(`${consoleUrl}api/events/${id}/replay`, {
        method: "POST",
        headers: { authorization, "x-callhooks-dashboard": "1" },
      });
      expect(await replay.json()).toEqual({ outcome: "processed", attempt: 2 });
    });
  });

  afterAll(() => fn.stop());
}
