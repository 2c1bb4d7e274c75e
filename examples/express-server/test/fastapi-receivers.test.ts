import { curl } from "@callhooks/test-support";
import { signRetellPayload } from "@callhooks/webhook-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jobEvent, jobOf, keys, send } from "./helpers.js";
import { type Running, startServer } from "./server.js";

/*
 * The two FastAPI receivers this server replaces, by their own documents: their `.env` names, URLs
 * and curl commands, run with curl (signed where theirs sent a placeholder signature), and the
 * answers they document. Where callhooks deliberately differs (a real signature is required), the
 * test says so.
 */

/** callhooks answers an authenticated event that fails validation 400 today, 202 `quarantined` soon: either way, not processed. */
function expectNotProcessed(answer: { status: number; body: unknown }) {
  if (answer.status === 202) expect(answer.body).toMatchObject({ status: "quarantined" });
  else expect(answer).toMatchObject({ status: 400, body: { error: "invalid_payload" } });
}

describe("express-server started with a FastAPI receiver's .env (SERVER_URL, WEBHOOK_HOST, WEBHOOK_PORT, DEBUG)", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({
      RETELL_API_KEY: keys.apiKey,
      API_TOKEN: keys.apiToken,
      // Theirs, not ours: PORT and HOST are emptied so the former names are what the server reads.
      PORT: "",
      HOST: "",
      WEBHOOK_PORT: "0",
      WEBHOOK_HOST: "127.0.0.1",
      SERVER_URL: "http://localhost:8000",
      DEBUG: "true",
    });
  });
  afterAll(() => server?.stop());
  /** What the server printed while `action` ran, once `until` shows in it (output is piped, so it may trail the answer). */
  async function logOf(action: () => Promise<unknown>, until: RegExp): Promise<string> {
    const start = server.output().length;
    await action();
    await vi.waitFor(() => expect(server.output().slice(start)).toMatch(until));
    return server.output().slice(start);
  }
  /** A documented command, with the documented server swapped for this one. */
  const run = (command: string) => curl(command.replaceAll("http://localhost:8000", server.url));

  it("listens where WEBHOOK_HOST and WEBHOOK_PORT say, with the debug log on", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain("debug log on");
  });

  describe("the port-8000 receiver's guide", () => {
    it("curl http://localhost:8000/api/v1/webhook/retell/test: the documented answer, byte for byte", async () => {
      const response = await fetch(`${server.url}/api/v1/webhook/retell/test`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(
        '{"status":"ok","message":"Retell webhook endpoint is accessible","webhook_url":"POST http://localhost:8000/api/v1/webhook/retell"}',
      );
      expect(await run("curl http://localhost:8000/api/v1/webhook/retell/test")).toMatchObject({ status: 200, body: { status: "ok" } });
    });

    it("curl -X POST …/retell with an empty body: 400 empty_body, where the old receiver let it through (deliberate: Retell never sends one)", async () => {
      expect(await run("curl -X POST http://localhost:8000/api/v1/webhook/retell")).toMatchObject({
        status: 400,
        body: { error: "empty_body" },
      });
    });

    it("the call_started curl: 401 unsigned; signed, not processed, because Retell always sends the fields it lacks", async () => {
      const body = `{
    "event": "call_started",
    "call": {
      "call_id": "test-123",
      "agent_id": "agent-456",
      "call_status": "in-progress"
    }
  }`;
      const command = (signature: string) => `curl -X POST http://localhost:8000/api/v1/webhook/retell \\
  -H "Content-Type: application/json" ${signature} \\
  -d '${body}'`;
      expect(await run(command(""))).toMatchObject({ status: 401, body: { error: "invalid_signature" } });
      expectNotProcessed(await run(command(`-H "X-Retell-Signature: ${await signRetellPayload(body, keys.apiKey)}"`)));
    });

    it("serves the API documentation at /docs and /redoc", async () => {
      for (const path of ["/docs", "/redoc"]) expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    });
  });

  describe("the FastAPI + MongoDB receiver's README", () => {
    it("curl http://localhost:8000/health", async () => {
      expect(await run("curl http://localhost:8000/health")).toEqual({ status: 200, body: { status: "ok", storage: "memory" } });
    });

    it('curl -X POST …/webhook -H "X-Retell-Signature: test_signature": 401 (deliberate: there is no verification bypass)', async () => {
      const command = `curl -X POST http://localhost:8000/webhook \\
  -H "Content-Type: application/json" \\
  -H "X-Retell-Signature: test_signature" \\
  -d '{"event":"call_started","call":{"call_id":"test123"}}'`;
      expect(await run(command)).toMatchObject({ status: 401, body: { error: "invalid_signature" } });
      const signed = command.replace(
        "test_signature",
        await signRetellPayload('{"event":"call_started","call":{"call_id":"test123"}}', keys.apiKey),
      );
      expectNotProcessed(await run(signed));
      expect(await jobOf(server, "test123")).toBeNull();
    });
  });

  describe("the debug log (DEBUG=true)", () => {
    it("logs each delivery's headers and body, and what became of it, with credentials and signatures redacted", async () => {
      const body = JSON.stringify({ event: "call_started", call: { call_id: "call_debugged", ApiKey: "body-secret-value" } });
      const signature = await signRetellPayload(body, keys.apiKey);
      const deliver = async () => {
        const response = await fetch(`${server.url}/webhook`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-retell-signature": signature,
            authorization: "Bearer header-secret-value",
            cookie: "session=cookie-secret",
          },
          body,
        });
        expect(response.status).not.toBe(401);
      };
      const log = await logOf(deliver, /debug: POST \/webhook answered \d+/);
      expect(log).toContain("debug: POST /webhook from");
      expect(log).toContain('"x-retell-signature":"[redacted]"');
      expect(log).toContain('"authorization":"[redacted]"');
      expect(log).toContain('"ApiKey":"[redacted]"');
      expect(log).toContain('"call_id":"call_debugged"');
      expect(log).toMatch(/debug: retell (verified|rejected)/);
      for (const secret of [
        signature,
        signature.split("d=")[1] as string,
        "header-secret-value",
        "cookie-secret",
        "body-secret-value",
        keys.apiKey,
        keys.apiToken,
      ]) {
        expect(log).not.toContain(secret);
      }
    });

    it("hands the handler the exact bytes it logged: a signed delivery is processed, a forged one refused", async () => {
      const signed = await logOf(
        async () =>
          expect(await send(server, jobEvent("call_started", "call_debug_job", "job_debug"))).toMatchObject({
            status: 200,
            body: { status: "processed" },
          }),
        /answered 200/,
      );
      expect(signed).toMatch(/debug: retell processed call_started/);
      expect(await jobOf(server, "job_debug")).toMatchObject({ status: "in_progress", last_call_event: "call_started" });
      const forged = await logOf(
        async () =>
          expect(await send(server, jobEvent("call_ended", "call_debug_job", "job_debug"), { key: "key_forger" })).toMatchObject({
            status: 401,
          }),
        /answered 401/,
      );
      expect(forged).toMatch(/debug: retell rejected .*invalid_signature/);
    });
  });
});
