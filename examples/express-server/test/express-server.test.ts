import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { PostgresUnavailableError, type SupabaseStack, startSupabaseStack } from "@callhooks/storage-supabase/testing";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, exampleDir, type Running, startFailure, startServer } from "./server.js";

/*
 * End to end, for real: `node src/server.ts` in a child process on a port the OS picks, signed
 * Retell events over HTTP (the sample helpers and the callhooks CLI), and the call jobs read back
 * through the server's own API and, on Supabase, from PostgreSQL.
 */

const ci = process.env.CI === "true";
const apiKey = `key_${randomBytes(12).toString("hex")}`;
const apiToken = randomBytes(24).toString("hex");
const RETELL = "/api/v1/webhook/retell";

type CallEvent = "call_started" | "call_ended" | "call_analyzed";

/** An outbound call the app placed for one of its jobs: `metadata: { job_id }`, as the dialer sets it. */
function jobEvent(type: CallEvent, callId: string, jobId: string, call: Record<string, unknown> = {}) {
  const event = retellSample(type, { callId });
  Object.assign(event.call, { direction: "outbound", from_number: "+16505550100", to_number: "+14155550101", metadata: { job_id: jobId }, ...call });
  return event;
}

async function send(server: Running, event: unknown, options: { key?: string; headers?: Record<string, string> } = {}) {
  const request = await createSignedRetellRequest(event, { apiKey: options.key ?? apiKey, url: `${server.url}${RETELL}`, ...(options.headers && { headers: options.headers }) });
  const response = await fetch(request);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function jobOf(server: Running, id: string) {
  const response = await fetch(`${server.url}/api/v1/call-jobs/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return response.json();
}

/** How many times the server brought a job up to date (it logs each one). */
async function syncsOf(server: Running, jobId: string): Promise<number> {
  // Logs are piped and may trail the answers: a marker job synced afterwards flushes them.
  const marker = `job_marker_${randomBytes(4).toString("hex")}`;
  await send(server, jobEvent("call_started", `call_${marker}`, marker));
  await server.waitFor(new RegExp(`call job ${marker}:`));
  return server.output().split("\n").filter((line) => line.startsWith(`call job ${jobId}:`)).length;
}

const completed = { status: "completed", last_event: "call_analyzed", disconnection_reason: "user_hangup", duration_ms: 95_000 };

/** The call-job behaviour both storages must show. */
function callJobScenarios(get: () => Running) {
  it("follows a job through its call; Retell's retry of an event is processed once", async () => {
    const server = get();
    expect(await send(server, jobEvent("call_started", "call_in_order", "job_in_order"))).toMatchObject({ status: 200, body: { status: "processed" } });
    expect(await jobOf(server, "job_in_order")).toMatchObject({ id: "job_in_order", call_id: "call_in_order", status: "in_progress", last_event: "call_started" });

    expect((await send(server, jobEvent("call_ended", "call_in_order", "job_in_order"))).body).toMatchObject({ status: "processed" });
    expect(await send(server, jobEvent("call_ended", "call_in_order", "job_in_order"))).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(await jobOf(server, "job_in_order")).toMatchObject({ status: "completed", last_event: "call_ended", disconnection_reason: "user_hangup", duration_ms: 95_000 });

    expect((await send(server, jobEvent("call_analyzed", "call_in_order", "job_in_order"))).body).toMatchObject({ status: "processed" });
    expect(await jobOf(server, "job_in_order")).toMatchObject(completed);
    expect(await syncsOf(server, "job_in_order")).toBe(3);
  });

  it("ends in the same job when the events arrive backwards and twice over", async () => {
    const server = get();
    const events = (["call_analyzed", "call_analyzed", "call_ended", "call_started", "call_ended"] as const).map((type) => jobEvent(type, "call_backwards", "job_backwards"));
    const statuses = [];
    for (const event of events) statuses.push((await send(server, event)).body.status);
    expect(statuses).toEqual(["processed", "duplicate", "processed", "processed", "duplicate"]);
    // call_started came last, and still did not take the job back to in_progress.
    const { updated_at: _a, ...backwards } = await jobOf(server, "job_backwards");
    const { updated_at: _b, ...inOrder } = await jobOf(server, "job_in_order");
    expect(backwards).toEqual({ ...inOrder, id: "job_backwards", call_id: "call_backwards" });
    expect(await syncsOf(server, "job_backwards")).toBe(3);
  });

  it("keeps the newest state when call_ended and call_analyzed are handled at the same moment", async () => {
    const server = get();
    const answers = await Promise.all([
      send(server, jobEvent("call_analyzed", "call_together", "job_together")),
      send(server, jobEvent("call_ended", "call_together", "job_together")),
      send(server, jobEvent("call_started", "call_together", "job_together")),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await jobOf(server, "job_together")).toMatchObject(completed);
  });

  it("refuses forged signatures (also from the callhooks CLI) and changes nothing", async () => {
    const server = get();
    expect(await send(server, jobEvent("call_started", "call_forged", "job_forged"), { key: "key_forger" })).toMatchObject({
      status: 401,
      body: { error: "invalid_signature" },
    });
    const forged = await cli(["send", "call_ended", "--bad-signature", "--expect", "401", "--url", `${server.url}${RETELL}`], { RETELL_API_KEY: apiKey });
    expect(forged.code).toBe(0);
    expect(forged.stdout).toContain("401");
    expect(await jobOf(server, "job_forged")).toBeNull();
  });

  it("runs the README's CLI walk-through: a tagged call's three events make a completed job", async () => {
    const server = get();
    const sent = await cli(["send", "samples/call-job", "--quiet", "--url", `${server.url}${RETELL}`], { RETELL_API_KEY: apiKey });
    expect(sent).toMatchObject({ code: 0, stdout: expect.stringContaining("3 sent, all answered 2xx") });
    expect(await jobOf(server, "job_demo_1")).toMatchObject({ call_id: "call_job_demo_1", ...completed });
  });

  it("answers call_inbound with the caller as a dynamic variable, and a retry the same", async () => {
    const server = get();
    const inbound = retellSample("call_inbound", { callId: "call_inbound_1" });
    const expected = { status: 200, body: { call_inbound: { dynamic_variables: { caller_number: "+14155550100" } } } };
    expect(await send(server, inbound)).toEqual(expected);
    expect(await send(server, inbound)).toEqual(expected);
  });

  it("guards the call-jobs API with API_TOKEN", async () => {
    const server = get();
    expect((await fetch(`${server.url}/api/v1/call-jobs/job_in_order`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/call-jobs/job_in_order`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });
}

describe("express-server on the in-memory storage", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ RETELL_API_KEY: apiKey, API_TOKEN: apiToken });
  });
  afterAll(() => server?.stop());

  it("says where it listens and which storage it uses", async () => {
    expect(server.output()).toContain("storage: memory, IP allowlist: off");
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok", storage: "memory" });
  });

  callJobScenarios(() => server);

  it("tells whoever checks the endpoint which URL to configure in Retell, from the request", async () => {
    // node:http, because fetch does not let a caller set Host.
    const check = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const headers = { host: "hooks.example.com:8443", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" };
      get(`${server.url}${RETELL}/test`, { headers }, (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve(JSON.parse(body)));
      }).on("error", reject);
    });
    // No TRUST_PROXY: forwarded headers are not believed.
    expect(check).toMatchObject({ status: "ok", webhook_url: "http://hooks.example.com:8443/api/v1/webhook/retell", storage: "memory", ip_allowlist: "off" });
  });

  it("answers a GET on the webhook with 405, not a 404", async () => {
    const response = await fetch(`${server.url}${RETELL}`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("serves the OpenAPI document and its self-contained HTML page", async () => {
    const json = await (await fetch(`${server.url}/docs/openapi.json`)).json();
    expect(json).toMatchObject({ openapi: "3.1.0", servers: [{ url: server.url }] });
    expect(Object.keys(json.paths)).toEqual([RETELL]);
    expect(json.components.schemas.RetellWebhookEvent.discriminator.propertyName).toBe("event");

    const page = await fetch(`${server.url}/docs`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = await page.text();
    for (const name of ["RetellCallEndedEvent", "RetellCallInboundResponse", "disconnection_reason"]) expect(html).toContain(name);
    expect(html).not.toMatch(/<script|\bsrc=/i);
  });

  it("never prints a secret", () => {
    expect(server.output()).not.toContain(apiKey);
    expect(server.output()).not.toContain(apiToken);
  });
});

describe("express-server with RETELL_ALLOWED_IPS", () => {
  const allowed = "100.20.5.228";

  it("directly reachable: the socket's address decides, and X-Forwarded-For is ignored", async () => {
    const server = await startServer({ RETELL_API_KEY: apiKey, RETELL_ALLOWED_IPS: allowed });
    try {
      expect(server.output()).toContain("IP allowlist: on");
      const spoofed = await send(server, retellSample("call_started", { callId: "call_spoofed" }), { headers: { "x-forwarded-for": allowed } });
      expect(spoofed).toMatchObject({ status: 403, body: { error: "forbidden" } });
    } finally {
      await server.stop();
    }
  });

  it("behind one proxy (TRUST_PROXY=1): the entry the proxy appended decides, and the public URL follows the proxy", async () => {
    const server = await startServer({ RETELL_API_KEY: apiKey, RETELL_ALLOWED_IPS: allowed, TRUST_PROXY: "1" });
    try {
      const event = (id: string) => retellSample("call_started", { callId: id });
      expect((await send(server, event("call_via_proxy"), { headers: { "x-forwarded-for": allowed } })).status).toBe(200);
      expect((await send(server, event("call_other"), { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(403);
      // A client writing Retell's address first does not get in: only the proxy's own entry counts.
      expect((await send(server, event("call_forged_xff"), { headers: { "x-forwarded-for": `${allowed}, 203.0.113.9` } })).status).toBe(403);
      const check = await fetch(`${server.url}${RETELL}/test`, { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "abc.trycloudflare.com" } });
      expect((await check.json()).webhook_url).toBe("https://abc.trycloudflare.com/api/v1/webhook/retell");
    } finally {
      await server.stop();
    }
  });
});

describe("express-server refuses to start half-configured", () => {
  it("names RETELL_API_KEY, where it comes from and where to set it, and exits 1", async () => {
    const { code, output } = await startFailure({});
    expect(code).toBe(1);
    expect(output).toContain("RETELL_API_KEY is not set");
    expect(output).toContain('"webhook" badge');
    expect(output).toContain(".env");
    expect(output).not.toContain("listening");
  });

  it("reports every problem at once without repeating a value", async () => {
    const secret = `sb_secret_${randomBytes(12).toString("hex")}`;
    const { code, output } = await startFailure({ RETELL_API_KEY: apiKey, SUPABASE_SERVICE_ROLE_KEY: secret, TRUST_PROXY: "true", API_TOKEN: "short-token" });
    expect(code).toBe(1);
    expect(output).toContain("SUPABASE_URL is not set");
    expect(output).toContain("TRUST_PROXY must be the number of proxies");
    expect(output).toContain("API_TOKEN must be at least 24 characters");
    for (const value of [secret, apiKey, "short-token"]) expect(output).not.toContain(value);
  });

  it("refuses an allowlist entry that is not an address", async () => {
    const { code, output } = await startFailure({ RETELL_API_KEY: apiKey, RETELL_ALLOWED_IPS: "100.20.5.228, retell.ai" });
    expect(code).toBe(1);
    expect(output).toContain('RETELL_ALLOWED_IPS: "retell.ai" is not an IP address');
  });
});

async function startStack(): Promise<SupabaseStack | null> {
  try {
    return await startSupabaseStack({ sql: [readFileSync(join(exampleDir, "supabase/migrations/20260401000000_call_jobs.sql"), "utf8")] });
  } catch (error) {
    if (error instanceof PostgresUnavailableError && !ci) {
      console.warn(`SKIPPING express-server on Supabase: ${error.message}`);
      return null;
    }
    throw error;
  }
}

const stack = await startStack();

describe.skipIf(!stack)("express-server on Supabase (PostgreSQL, PostgREST, supabase-js)", () => {
  const db = stack as SupabaseStack;
  let server: Running;
  beforeAll(async () => {
    server = await startServer({
      RETELL_API_KEY: apiKey,
      API_TOKEN: apiToken,
      SUPABASE_URL: db.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY: db.serviceRoleKey,
      PUBLIC_URL: "https://hooks.example.com",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.stop();
  });

  it("uses the Supabase storage", async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok", storage: "supabase" });
    expect((await (await fetch(`${server.url}${RETELL}/test`)).json()).webhook_url).toBe("https://hooks.example.com/api/v1/webhook/retell");
  });

  callJobScenarios(() => server);

  it("keeps the jobs in call_jobs and each event once in callhooks_events", async () => {
    const rows = await db.sql("select id || '|' || status || '|' || last_event || '|' || duration_ms from public.call_jobs where id in ('job_in_order', 'job_backwards') order by id");
    expect(rows.trim().split("\n")).toEqual(["job_backwards|completed|call_analyzed|95000", "job_in_order|completed|call_analyzed|95000"]);
    const events = await db.sql("select event_type || '|' || status from public.callhooks_events where call_id = 'call_backwards' order by event_type");
    expect(events.trim().split("\n")).toEqual(["call_analyzed|processed", "call_ended|processed", "call_started|processed"]);
  });

  it("never prints a secret", () => {
    for (const secret of [apiKey, apiToken, db.serviceRoleKey]) expect(server.output()).not.toContain(secret);
  });
});

describe("express-server with Supabase not migrated", () => {
  it.skipIf(!stack)("refuses to start, saying which migration is missing", async () => {
    const bare = await startSupabaseStack({ migrate: false });
    try {
      const { code, output } = await startFailure({ RETELL_API_KEY: apiKey, SUPABASE_URL: bare.supabaseUrl, SUPABASE_SERVICE_ROLE_KEY: bare.serviceRoleKey });
      expect(code).toBe(1);
      expect(output).toContain("Supabase is not ready");
      expect(output).toContain("migration");
      expect(output).not.toContain(bare.serviceRoleKey);
    } finally {
      await bare.stop();
    }
  });
});
