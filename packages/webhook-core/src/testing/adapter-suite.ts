import { afterEach, describe, expect, it } from "vitest";
import { WebhookAuthenticationError } from "../errors.js";
import { createWebhookHandler } from "../pipeline/pipeline.js";
import type { IncomingWebhook, WebhookHandler, WebhookLogger } from "../pipeline/types.js";
import { createRetellHandler, type RetellHandlerOptions, type RetellHandlers } from "../retell/handler.js";
import { retellEventTypes } from "../retell/schemas.js";
import type { WebhookStorage } from "../storage/types.js";
import { signedRetellHeaders } from "../samples/retell-requests.js";
import { retellSample } from "../samples/retell-samples.js";

/** A running app: `url` is the webhook endpoint's full URL. */
export interface ServedAdapter {
  url: string;
  close(): Promise<void>;
}

/** An app in which another body parser or middleware reads the body before the adapter does. */
export interface ParserFirstCase {
  name: string;
  serve(handler: WebhookHandler): Promise<ServedAdapter>;
  /**
   * `recovers`: the raw bytes are still reachable (a capture helper, a cache), so events are
   * verified as usual; `explains`: 500 `raw_body_unavailable` saying what to change. Never 401.
   */
  outcome: "recovers" | "explains";
}

export interface AdapterConformanceOptions {
  /**
   * Mounts `handler` with the adapter in a real app listening on 127.0.0.1, port 0, for every
   * method (`app.all`), so that the core's 405 is what a GET gets.
   */
  serve(handler: WebhookHandler): Promise<ServedAdapter>;
  /** A fresh storage (core cannot depend on a storage package). */
  createStorage(): WebhookStorage;
  parserFirst?: readonly ParserFirstCase[];
  /** Recorded provider bodies (e.g. the Retell fixtures), sent and signed byte for byte. */
  fixtures?: Readonly<Record<string, string | Uint8Array>>;
}

const API_KEY = "key_adapter_conformance_5f3c9a1e7b";
const LIMIT = 32 * 1024;
const encoder = new TextEncoder();
const INBOUND = { call_inbound: { override_agent_id: "agent_conformance", dynamic_variables: { caller: "Zoë" } } };
const CHAT_INBOUND = { chat_inbound: { dynamic_variables: { topic: "billing" } } };

interface Harness {
  url: string;
  calls: string[];
  storage: WebhookStorage;
}

/**
 * The behaviour every framework adapter must have, over real HTTP against a real listening server.
 *
 * ```ts
 * describeAdapterConformance("express 5", {
 *   serve: (handler) => listen(express().post("/webhooks/retell", expressHandler(handler))),
 *   createStorage: () => createMemoryStorage(),
 * });
 * ```
 */
export function describeAdapterConformance(name: string, options: AdapterConformanceOptions): void {
  describe(`adapter conformance: ${name}`, () => {
    const open: ServedAdapter[] = [];
    const seen: string[] = [];
    const logger: WebhookLogger = {
      warn: (message, fields) => seen.push(message, JSON.stringify(fields ?? {})),
      error: (message, fields) => seen.push(message, JSON.stringify(fields ?? {})),
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((app) => app.close()));
      // Every response body and log line of the test: none may contain the secret.
      for (const text of seen.splice(0)) expect(text).not.toContain(API_KEY);
    });

    async function start(
      extra: Partial<RetellHandlerOptions> = {},
      serve: (handler: WebhookHandler) => Promise<ServedAdapter> = options.serve,
    ): Promise<Harness> {
      const calls: string[] = [];
      const storage = options.createStorage();
      const record = (type: string) => (event: { event: string }) => {
        calls.push(event.event);
        expect(event.event).toBe(type);
        return type === "call_inbound" ? INBOUND : type === "chat_inbound" ? CHAT_INBOUND : undefined;
      };
      const handler = createRetellHandler({
        apiKey: API_KEY,
        storage,
        logger,
        maxBodyBytes: LIMIT,
        on: Object.fromEntries(retellEventTypes.map((type) => [type, record(type)])) as RetellHandlers,
        ...extra,
      });
      const app = await serve(handler);
      open.push(app);
      return { url: app.url, calls, storage };
    }

    async function post(
      url: string,
      body: string | Uint8Array,
      sign: { apiKey?: string; timestamp?: number; headers?: Record<string, string> } | false = {},
    ) {
      const headers = sign
        ? await signedRetellHeaders(body, { apiKey: sign.apiKey ?? API_KEY, ...sign })
        : { "content-type": "application/json" };
      const response = await fetch(url, { method: "POST", headers, body: body as BodyInit });
      const text = await response.text();
      seen.push(text);
      return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
    }

    describe("signed events", () => {
      it.each(retellEventTypes)("accepts a signed %s and runs its handler once", async (type) => {
        const app = await start();
        const res = await post(app.url, JSON.stringify(retellSample(type)));
        expect(res.status).toBe(200);
        expect(app.calls).toEqual([type]);
        if (type === "call_inbound") expect(res.json()).toEqual(INBOUND);
        else if (type === "chat_inbound") expect(res.json()).toEqual(CHAT_INBOUND);
        else expect(res.json()).toMatchObject({ status: "processed", event_id: expect.any(String) });
      });

      const fixtures = Object.entries(options.fixtures ?? {});
      if (fixtures.length > 0) {
        it.each(fixtures)("verifies the recorded body %s byte for byte", async (_file, body) => {
          // Real transcripts with word timings outgrow the suite's small limit.
          const app = await start({ maxBodyBytes: 1024 * 1024 });
          const res = await post(app.url, body);
          expect(res.status).toBe(200);
          expect(app.calls).toHaveLength(1);
        });
      }

      it("verifies the bytes as sent, not a re-serialisation of the parsed JSON", async () => {
        const app = await start();
        const call = JSON.stringify(retellSample("call_started").call, null, 4);
        // Pretty-printed, escaped unicode, CRLF and trailing whitespace: JSON.stringify(JSON.parse(body)) differs.
        const body = `{\r\n  "event" :"call_started",\r\n  "note":"Caf\\u00e9 \u00e9",\r\n  "call": ${call}\r\n}\r\n  `;
        const res = await post(app.url, body);
        expect(res.status).toBe(200);
        expect(app.calls).toEqual(["call_started"]);
      });

      it("returns the inbound handler's answer again to a duplicate delivery", async () => {
        const app = await start();
        const body = JSON.stringify(retellSample("call_inbound", { callId: "call_dup_inbound" }));
        const first = await post(app.url, body);
        const second = await post(app.url, body);
        expect([first.status, second.status]).toEqual([200, 200]);
        expect(second.json()).toEqual(INBOUND);
        expect(app.calls).toEqual(["call_inbound"]);
      });
    });

    describe("exactly once", () => {
      it("answers 2xx to a duplicate delivery without running the handler again", async () => {
        const app = await start();
        const body = JSON.stringify(retellSample("call_ended", { callId: "call_dup" }));
        const first = await post(app.url, body);
        const second = await post(app.url, body);
        expect([first.status, second.status]).toEqual([200, 200]);
        expect(second.json()).toMatchObject({ status: "duplicate", event_id: first.json().event_id });
        expect(app.calls).toEqual(["call_ended"]);
      });

      it("runs the handler once when the same event arrives concurrently", async () => {
        const app = await start();
        const body = JSON.stringify(retellSample("call_analyzed", { callId: "call_race" }));
        const results = await Promise.all(Array.from({ length: 5 }, () => post(app.url, body)));
        for (const res of results) expect([200, 409]).toContain(res.status);
        expect(app.calls).toEqual(["call_analyzed"]);
      });

      it("answers 500 when the handler throws, keeps the event as failed, and processes the retry", async () => {
        let failures = 0;
        const app = await start({
          on: {
            call_ended: () => {
              failures += 1;
              if (failures === 1) throw new Error(`database down (key ${API_KEY.length} chars)`);
            },
          },
        });
        const body = JSON.stringify(retellSample("call_ended", { callId: "call_fail" }));
        const first = await post(app.url, body);
        expect(first.status).toBe(500);
        expect(first.json()).toMatchObject({ error: "handler_failed" });
        const [stored] = await app.storage.listEvents({ provider: "retell" });
        expect(stored).toMatchObject({
          status: "failed",
          type: "call_ended",
          attempts: 1,
          lastError: expect.stringContaining("database down"),
        });
        const retry = await post(app.url, body);
        expect(retry.status).toBe(200);
        expect(await app.storage.getEvent(stored?.id as string)).toMatchObject({ status: "processed", attempts: 2 });
      });
    });

    describe("rejections", () => {
      it("answers 401 to a forged signature and runs nothing", async () => {
        const app = await start();
        const res = await post(app.url, JSON.stringify(retellSample("call_ended")), { apiKey: "key_someone_else" });
        expect(res.status).toBe(401);
        expect(res.json()).toMatchObject({ error: "invalid_signature" });
        expect(app.calls).toEqual([]);
      });

      it("answers 401 to a missing signature", async () => {
        const app = await start();
        const res = await post(app.url, JSON.stringify(retellSample("call_ended")), false);
        expect(res.status).toBe(401);
        expect(app.calls).toEqual([]);
      });

      it("answers 401 to a stale timestamp (a replay)", async () => {
        const app = await start();
        const res = await post(app.url, JSON.stringify(retellSample("call_ended")), { timestamp: Date.now() - 6 * 60_000 });
        expect(res.status).toBe(401);
        expect(res.json().details).toMatch(/timestamp/);
        expect(app.calls).toEqual([]);
      });

      it("answers 400 to an empty body", async () => {
        const app = await start();
        const res = await post(app.url, "");
        expect(res.status).toBe(400);
        expect(res.json()).toMatchObject({ error: "empty_body" });
      });

      it("answers 400 to a signed body that is not JSON", async () => {
        const app = await start();
        const res = await post(app.url, '{"event":"call_ended",');
        expect(res.status).toBe(400);
        expect(res.json()).toMatchObject({ error: "invalid_json" });
      });

      it("answers 413 to a body over maxBodyBytes and runs nothing", async () => {
        const app = await start();
        const res = await post(app.url, JSON.stringify({ ...retellSample("call_ended"), padding: "x".repeat(LIMIT) }));
        expect(res.status).toBe(413);
        expect(res.json()).toMatchObject({ error: "payload_too_large" });
        expect(app.calls).toEqual([]);
      });

      it("answers 413 to a streamed body without Content-Length as soon as it passes the limit", async () => {
        const app = await start();
        const chunk = encoder.encode("x".repeat(4096));
        let sent = 0;
        // Never ends after the limit: an adapter that waits for the whole body never answers.
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent > LIMIT) return new Promise<void>(() => {});
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          },
        });
        const abort = new AbortController();
        const response = await fetch(app.url, {
          method: "POST",
          headers: await signedRetellHeaders("x", { apiKey: API_KEY }),
          body,
          duplex: "half",
          signal: abort.signal,
        } as RequestInit);
        expect(response.status).toBe(413);
        abort.abort();
        expect(app.calls).toEqual([]);
      });

      it("answers 405 with Allow: POST to a GET", async () => {
        const app = await start();
        const response = await fetch(app.url);
        expect(response.status).toBe(405);
        expect(response.headers.get("allow")).toBe("POST");
        seen.push(await response.text());
      });

      it("answers 403 when the client address is not allowed (the adapter passes the peer address)", async () => {
        const app = await start({ allowedIps: ["192.0.2.1"] });
        const res = await post(app.url, JSON.stringify(retellSample("call_ended")));
        expect(res.status).toBe(403);
        expect(app.calls).toEqual([]);
      });
    });

    it("passes the method, headers, raw bytes, peer address and full URL to the handler", async () => {
      let received: IncomingWebhook | undefined;
      let bytes: Uint8Array | undefined;
      const handler = createWebhookHandler<unknown>(
        {
          provider: "probe",
          authenticate({ request, body, header }) {
            received = request;
            bytes = typeof body === "string" ? encoder.encode(body) : Uint8Array.from(body);
            if (header("x-probe") !== "one") throw new WebhookAuthenticationError("x-probe header not passed");
          },
          parse: (body) => body,
          describe: () => ({ type: "probe", key: null, callId: null, orgId: null, records: [], payload: null }),
        },
        { isKnown: () => true },
        { logger },
      );
      const app = await options.serve(handler);
      open.push(app);
      // Valid JSON whose string holds bytes that are not UTF-8: decoding them would change the body.
      const sent = Uint8Array.from([...encoder.encode('{"a":"'), 0xff, 0xfe, 0xc3, ...encoder.encode('"}')]);
      const url = `${app.url}?tenant=acme&x=1`;
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-probe": "one" }, body: sent });
      seen.push(await response.text());
      expect(response.status).toBe(200);
      expect(received?.method).toBe("POST");
      expect(new URL(received?.url ?? "relative:").href).toBe(new URL(url).href);
      expect(received?.remoteAddress).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(bytes).toEqual(sent);
    });

    for (const variant of options.parserFirst ?? []) {
      describe(`when ${variant.name}`, () => {
        it(
          variant.outcome === "recovers" ? "still verifies signed events" : "answers 500 explaining what to change, never 401",
          async () => {
            const app = await start({}, variant.serve);
            const res = await post(app.url, JSON.stringify(retellSample("call_ended")));
            if (variant.outcome === "recovers") {
              expect(res.status).toBe(200);
              expect(app.calls).toEqual(["call_ended"]);
            } else {
              expect(res.status).toBe(500);
              expect(res.json()).toMatchObject({ error: "raw_body_unavailable", details: expect.stringMatching(/raw|body/i) });
              expect(app.calls).toEqual([]);
            }
          },
        );

        it(
          variant.outcome === "recovers" ? "still rejects a forged signature" : "does not answer 401 to a forged signature either",
          async () => {
            const app = await start({}, variant.serve);
            const res = await post(app.url, JSON.stringify(retellSample("call_ended")), { apiKey: "key_someone_else" });
            if (variant.outcome === "recovers") expect(res.status).toBe(401);
            else expect([res.status, res.json().error]).toEqual([500, "raw_body_unavailable"]);
            expect(app.calls).toEqual([]);
          },
        );
      });
    }
  });
}
