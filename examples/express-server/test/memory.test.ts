import { get } from "node:http";
import { retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callJobScenarios, keys, RETELL, send } from "./helpers.js";
import { type Running, startServer } from "./server.js";

/*
 * End to end, for real: `node src/server.ts` in a child process on a port the OS picks, on the
 * in-memory storage, signed Retell events over HTTP (the sample helpers and the callhooks CLI), and
 * the call jobs read back through the server's own API.
 */

describe("express-server on the in-memory storage", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ RETELL_API_KEY: keys.apiKey, API_TOKEN: keys.apiToken, DASHBOARD_PASSWORD: keys.dashboardPassword });
  });
  afterAll(() => server?.stop());

  it("says where it listens and which storage it uses", async () => {
    expect(server.output()).toContain("storage: memory, IP allowlist: off");
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: "ok", storage: "memory" });
  });

  callJobScenarios(() => server);

  it("answers the test endpoint as the FastAPI receiver did, with the URL to configure in Retell taken from the request", async () => {
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
    expect(check).toEqual({
      status: "ok",
      message: "Retell webhook endpoint is accessible",
      webhook_url: "POST http://hooks.example.com:8443/api/v1/webhook/retell",
    });
  });

  it("answers a GET on the webhook (either URL) with 405, not a 404", async () => {
    for (const path of [RETELL, "/webhook"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
  });

  it("serves the OpenAPI document and its self-contained HTML page, where FastAPI served them too (/openapi.json, /redoc)", async () => {
    for (const path of ["/docs/openapi.json", "/openapi.json"]) {
      const json = await (await fetch(`${server.url}${path}`)).json();
      expect(json).toMatchObject({ openapi: "3.1.0", servers: [{ url: server.url }] });
      expect(Object.keys(json.paths)).toEqual([RETELL]);
      expect(json.components.schemas.RetellWebhookEvent.discriminator.propertyName).toBe("event");
    }

    for (const path of ["/docs", "/redoc"]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
      const html = await page.text();
      for (const name of ["RetellCallEndedEvent", "RetellCallInboundResponse", "disconnection_reason"]) expect(html).toContain(name);
      expect(html).not.toMatch(/<script|\bsrc=/i);
    }
  });

  it("serves the callhooks console at /admin/callhooks behind DASHBOARD_PASSWORD, with the events it received", async () => {
    expect(server.output()).toMatch(/Console +http:\/\/localhost:\d+\/admin\/callhooks\/ +\(user admin, DASHBOARD_PASSWORD\)/);
    expect((await send(server, retellSample("call_started", { callId: "call_console" }))).status).toBe(200);
    const refused = await fetch(`${server.url}/admin/callhooks/`);
    expect([refused.status, await refused.text()]).toEqual([401, "Authentication required."]);
    const authorization = `Basic ${Buffer.from(`admin:${keys.dashboardPassword}`).toString("base64")}`;
    const inbox = await fetch(`${server.url}/admin/callhooks/?call=call_console`, { headers: { authorization } });
    expect(inbox.status).toBe(200);
    expect(await inbox.text()).toMatch(/call_started[\s\S]*call_console/);
  });

  it("never prints a secret, nor a body (no DEBUG)", () => {
    expect(server.output()).not.toContain(keys.apiKey);
    expect(server.output()).not.toContain(keys.apiToken);
    expect(server.output()).not.toContain(keys.dashboardPassword);
    expect(server.output()).not.toContain("debug:");
  });
});

describe("express-server with RETELL_ALLOWED_IPS", () => {
  const allowed = "100.20.5.228";

  it("directly reachable: the socket's address decides, and X-Forwarded-For is ignored", async () => {
    const server = await startServer({ RETELL_API_KEY: keys.apiKey, RETELL_ALLOWED_IPS: allowed });
    try {
      expect(server.output()).toContain("IP allowlist: on");
      const spoofed = await send(server, retellSample("call_started", { callId: "call_spoofed" }), {
        headers: { "x-forwarded-for": allowed },
      });
      expect(spoofed).toMatchObject({ status: 403, body: { error: "forbidden" } });
    } finally {
      await server.stop();
    }
  });

  it("behind one proxy (TRUST_PROXY=1): the entry the proxy appended decides, and the public URL follows the proxy", async () => {
    const server = await startServer({ RETELL_API_KEY: keys.apiKey, RETELL_ALLOWED_IPS: allowed, TRUST_PROXY: "1" });
    try {
      const event = (id: string) => retellSample("call_started", { callId: id });
      expect((await send(server, event("call_via_proxy"), { headers: { "x-forwarded-for": allowed } })).status).toBe(200);
      expect((await send(server, event("call_other"), { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(403);
      // A client writing Retell's address first does not get in: only the proxy's own entry counts.
      expect((await send(server, event("call_forged_xff"), { headers: { "x-forwarded-for": `${allowed}, 203.0.113.9` } })).status).toBe(
        403,
      );
      const check = await fetch(`${server.url}${RETELL}/test`, {
        headers: { "x-forwarded-proto": "https", "x-forwarded-host": "abc.trycloudflare.com" },
      });
      expect((await check.json()).webhook_url).toBe("POST https://abc.trycloudflare.com/api/v1/webhook/retell");
    } finally {
      await server.stop();
    }
  });
});
