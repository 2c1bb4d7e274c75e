import { createMemoryStorage } from "@callhooks/storage-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, CSRF_HEADER, createDashboard } from "../src/index.js";
import {
  BASE,
  type Harness,
  MIGHTYCALL_API_KEY,
  RETELL_KEY,
  USER,
  XSS,
  basicHeader,
  mightyCallSample,
  retellSample,
  startHarness,
  xssEvent,
} from "./harness.js";

/*
 * Every security property of the console, over a real Express server with real signed deliveries:
 * authentication before anything, Replay only from the console's own pages, provider text as text,
 * no secret in any page.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness(createMemoryStorage());
  await h.retell(xssEvent("call_xss"));
  await h.mightyCall(mightyCallSample("IncomingCallCompleted", { callId: "mc-secret-check" }));
});
afterAll(() => h.close());

const get = (path: string, headers: Record<string, string> = { authorization: basicHeader() }) =>
  fetch(`${h.origin}${BASE}${path}`, { headers, redirect: "manual" });
const firstEvent = async (callId: string) => (await h.storage.listEvents({ callId }))[0]?.id as string;

describe("authentication", () => {
  it("cannot be created without auth, or with unusable Basic credentials", () => {
    const storage = createMemoryStorage();
    expect(() => createDashboard({ storage } as never)).toThrow(/needs `auth`/);
    expect(() => createDashboard({ storage, auth: { username: "a", password: "short" } })).toThrow(/at least 8/);
    expect(() => createDashboard({ storage, auth: { username: "a:b", password: "long enough" } })).toThrow(/without ':'/);
  });

  it("answers 401 with no data to no credentials, wrong ones, and a malformed header, on every page and asset", async () => {
    const wrong = { authorization: basicHeader({ username: USER.username, password: `${USER.password}x` }) };
    for (const path of [
      "/",
      "/charts",
      `/events/${await firstEvent("call_xss")}`,
      "/calls/retell/call_xss",
      "/api/inbox",
      "/assets/dashboard.js",
    ]) {
      for (const headers of [{}, wrong, { authorization: "Basic !!!" }, { authorization: `Bearer ${USER.password}` }]) {
        const response = await get(path, headers);
        const text = await response.text();
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm="callhooks"/);
        expect(text).toBe("Authentication required.");
      }
    }
    const replay = await fetch(`${h.origin}${BASE}/api/events/${await firstEvent("call_xss")}/replay`, {
      method: "POST",
      headers: { [CSRF_HEADER]: "1" },
    });
    expect(replay.status).toBe(401);
  });

  it("takes the app's own check instead: allowed only when it answers true (a throwing check denies)", async () => {
    const storage = createMemoryStorage();
    const session = (request: Request) => request.headers.get("cookie") === "session=valid";
    const dashboard = createDashboard({ storage, auth: session });
    expect((await dashboard.fetch(new Request("http://x/", { headers: { cookie: "session=valid" } }))).status).toBe(200);
    const denied = await dashboard.fetch(new Request("http://x/", { headers: { cookie: "session=forged" } }));
    expect([denied.status, denied.headers.get("www-authenticate"), await denied.text()]).toEqual([401, null, "Authentication required."]);
    const throwing = createDashboard({
      storage,
      auth: () => {
        throw new Error("session store down");
      },
    });
    expect((await throwing.fetch(new Request("http://x/"))).status).toBe(401);
  });
});

describe("Replay: POST only, from the console's own pages only", () => {
  const replay = async (headers: Record<string, string>, method = "POST") =>
    fetch(`${h.origin}${BASE}/api/events/${await firstEvent("call_xss")}/replay`, {
      method,
      headers: { authorization: basicHeader(), ...headers },
    });

  it("refuses GET, a request without the console's header, a cross-site Origin and a cross-site fetch", async () => {
    expect((await replay({}, "GET")).status).toBe(405);
    expect((await replay({})).status).toBe(403); // what a cross-site <form method=post> can send
    expect((await replay({ [CSRF_HEADER]: "1", origin: "https://evil.example" })).status).toBe(403);
    expect((await replay({ [CSRF_HEADER]: "1", "sec-fetch-site": "cross-site" })).status).toBe(403);
    const before = await h.storage.getEvent(await firstEvent("call_xss"));
    expect(before?.attempts).toBe(1); // none of those ran anything
  });

  it("runs from the console's own origin", async () => {
    const response = await replay({ [CSRF_HEADER]: "1", origin: h.origin, "sec-fetch-site": "same-origin" });
    expect([response.status, await response.json()]).toEqual([200, { outcome: "processed", attempt: 2 }]);
  });

  it("readOnly removes it: no button, and the endpoint refuses", async () => {
    const ro = await startHarness(createMemoryStorage(), { readOnly: true });
    try {
      await ro.retell(retellSample("call_ended", { callId: "call_ro" }));
      const id = (await ro.storage.listEvents())[0]?.id as string;
      const page = await (await fetch(`${ro.url}events/${id}`, { headers: { authorization: basicHeader() } })).text();
      expect(page).toContain("read-only");
      expect(page).not.toContain('id="replay"');
      const post = await fetch(`${ro.url}api/events/${id}/replay`, {
        method: "POST",
        headers: { authorization: basicHeader(), [CSRF_HEADER]: "1", origin: ro.origin },
      });
      expect(post.status).toBe(403);
      expect((await ro.storage.getEvent(id))?.attempts).toBe(1);
    } finally {
      await ro.close();
    }
  });
});

describe("provider text is text", () => {
  it("escapes a transcript with markup and </script> on the event, call and inbox pages", async () => {
    const escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;";
    for (const path of [`/events/${await firstEvent("call_xss")}`, "/calls/retell/call_xss?org="]) {
      const page = await (await get(path)).text();
      expect(page).not.toContain(XSS);
      expect(page).not.toContain("<img src=x");
      expect(page).toContain(escaped.replace("&lt;img", "&lt;img"));
    }
    await h.retell({ ...retellSample("call_started", { callId: `call_<b>"x"</b>` }) });
    const inbox = await (await get("/")).text();
    expect(inbox).not.toContain('<b>"x"</b>');
    expect(inbox).toContain("call_&lt;b&gt;&quot;x&quot;&lt;/b&gt;");
  });

  it("sends a Content-Security-Policy without inline scripts, and the usual hardening headers", async () => {
    const response = await get("/");
    expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-eval");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const page = await response.text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline <script>
    // Every script, stylesheet and icon comes from the console itself: no CDN.
    expect([...page.matchAll(/<(?:script|link)[^>]*\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual([
      "data:,",
      "./assets/dashboard.css",
      "./assets/dashboard.js",
    ]);
  });
});

describe("no secret is ever shown", () => {
  it("never shows MightyCall's ApiKey, the Retell key or the console's password, on any page", async () => {
    const stored = (await h.storage.listEvents({ provider: "mightycall" }))[0];
    expect(stored).toBeDefined();
    const pages = await Promise.all(
      ["/", `/events/${stored?.id}`, "/calls/mightycall/mc-secret-check?org=org_acme", "/charts", "/api/inbox"].map(async (path) =>
        (await get(path)).text(),
      ),
    );
    for (const page of pages) {
      expect(page).not.toContain(MIGHTYCALL_API_KEY);
      expect(page).not.toContain(RETELL_KEY);
      expect(page).not.toContain(USER.password);
    }
    expect(pages[1]).toContain("IncomingCallCompleted");
  });

  it("redacts credential-named keys in any payload, as a second line behind the providers' own stripping", async () => {
    const storage = createMemoryStorage();
    await storage.claim({
      event: {
        provider: "custom",
        key: "k",
        type: "t",
        callId: null,
        orgId: null,
        payload: { ApiKey: "s3cr3t-value", nested: { client_secret: "another-s3cr3t" } },
        receivedAt: 1,
      },
      records: [],
      mode: "complete",
      leaseMs: 1000,
      now: 1,
    });
    const id = (await storage.listEvents())[0]?.id;
    const dashboard = createDashboard({ storage, auth: () => true });
    const page = await (await dashboard.fetch(new Request(`http://x/events/${id}`))).text();
    expect(page).not.toContain("s3cr3t");
    expect(page).toContain("[redacted]");
  });
});
