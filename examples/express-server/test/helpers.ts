import { randomBytes } from "node:crypto";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { expect, it } from "vitest";
import { cli, type Running } from "./server.js";

export const RETELL = "/api/v1/webhook/retell";
export const keys = {
  apiKey: `key_${randomBytes(12).toString("hex")}`,
  apiToken: randomBytes(24).toString("hex"),
  dashboardPassword: randomBytes(16).toString("hex"),
};

type CallEvent = "call_started" | "call_ended" | "call_analyzed";

/** An outbound call the app placed for one of its jobs: `metadata: { job_id }`, as the dialer sets it. */
export function jobEvent(type: CallEvent, callId: string, jobId: string | null, call: Record<string, unknown> = {}) {
  const event = retellSample(type, { callId });
  Object.assign(event.call, {
    direction: "outbound",
    from_number: "+16505550100",
    to_number: "+14155550101",
    metadata: jobId ? { job_id: jobId } : {},
    ...call,
  });
  return event;
}

export async function send(
  server: Running,
  event: unknown,
  options: { key?: string; headers?: Record<string, string>; path?: string } = {},
) {
  const request = await createSignedRetellRequest(event, {
    apiKey: options.key ?? keys.apiKey,
    url: `${server.url}${options.path ?? RETELL}`,
    ...(options.headers && { headers: options.headers }),
  });
  const response = await fetch(request);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A job through the server's own API, its time as an instant (PostgreSQL and JavaScript print them differently). */
export async function jobOf(server: Running, id: string) {
  const response = await fetch(`${server.url}/api/v1/call-jobs/${id}`, { headers: { authorization: `Bearer ${keys.apiToken}` } });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  const job = await response.json();
  return { ...job, last_call_timestamp: job.last_call_timestamp && new Date(job.last_call_timestamp).toISOString() };
}

/** How many times the server brought a job up to date (it logs each one). */
async function syncsOf(server: Running, jobId: string): Promise<number> {
  // Logs are piped and may trail the answers: a marker job synced afterwards flushes them.
  const marker = `job_marker_${randomBytes(4).toString("hex")}`;
  await send(server, jobEvent("call_started", `call_${marker}`, marker));
  await server.waitFor(new RegExp(`call job ${marker}:`));
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith(`call job ${jobId}:`)).length;
}

/** retellSample's call starts at 2026-01-01T12:00:00Z and lasts 95 s. */
export const STARTED = "2026-01-01T12:00:00.000Z";
export const ENDED = "2026-01-01T12:01:35.000Z";
export const completed = {
  status: "completed",
  last_call_event: "call_analyzed",
  last_call_timestamp: ENDED,
  disconnection_reason: "user_hangup",
  call_duration: 95,
};

/** The call-job behaviour both storages must show. */
export function callJobScenarios(get: () => Running) {
  it("follows a job through its call, with the MongoDB receiver's fields; Retell's retry of an event is processed once", async () => {
    const server = get();
    expect(await send(server, jobEvent("call_started", "call_in_order", "job_in_order"))).toMatchObject({
      status: 200,
      body: { status: "processed" },
    });
    expect(await jobOf(server, "job_in_order")).toMatchObject({
      id: "job_in_order",
      call_id: "call_in_order",
      status: "in_progress",
      last_call_event: "call_started",
      last_call_timestamp: STARTED,
      call_duration: null,
    });

    expect((await send(server, jobEvent("call_ended", "call_in_order", "job_in_order"))).body).toMatchObject({ status: "processed" });
    expect(await send(server, jobEvent("call_ended", "call_in_order", "job_in_order"))).toMatchObject({
      status: 200,
      body: { status: "duplicate" },
    });
    expect(await jobOf(server, "job_in_order")).toMatchObject({
      status: "completed",
      last_call_event: "call_ended",
      last_call_timestamp: ENDED,
      disconnection_reason: "user_hangup",
      call_duration: 95,
    });

    expect((await send(server, jobEvent("call_analyzed", "call_in_order", "job_in_order"))).body).toMatchObject({ status: "processed" });
    expect(await jobOf(server, "job_in_order")).toMatchObject(completed);
    expect(await syncsOf(server, "job_in_order")).toBe(3);
  });

  it("ends in the same job when the events arrive backwards and twice over", async () => {
    const server = get();
    const events = (["call_analyzed", "call_analyzed", "call_ended", "call_started", "call_ended"] as const).map((type) =>
      jobEvent(type, "call_backwards", "job_backwards"),
    );
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
    const forged = await cli(["send", "call_ended", "--bad-signature", "--expect", "401", "--url", `${server.url}${RETELL}`], {
      RETELL_API_KEY: keys.apiKey,
    });
    expect(forged.code).toBe(0);
    expect(forged.stdout).toContain("401");
    expect(await jobOf(server, "job_forged")).toBeNull();
  });

  it("runs the README's CLI walk-through on the old receiver's URL, POST /webhook: a tagged call's three events make a completed job", async () => {
    const server = get();
    const sent = await cli(["send", "samples/call-job", "--quiet", "--url", `${server.url}/webhook`], { RETELL_API_KEY: keys.apiKey });
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
