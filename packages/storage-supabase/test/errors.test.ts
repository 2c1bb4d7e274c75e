import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookStorageError, createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/testing";
import { createClient } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import { SupabaseStorageError, createSupabaseStorage } from "../src/index.js";
import { redact } from "../src/errors.js";
import { signJwt } from "../src/testing/index.js";
import { stack, storageFor } from "./helpers.js";

const KEY = signJwt({ role: "service_role" }, "a-secret-that-is-at-least-32-characters-long");
const NEW_KEY = "sb_secret_abcdefghijklmnop0123456789";

/** A fake API that answers every request the same way, counting them. */
async function fakeApi(
  answer: (res: import("node:http").ServerResponse) => void,
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const client = (url: string, key = KEY) => createClient(url, key, { auth: { persistSession: false } });
const claimRequest = {
  event: { provider: "e", key: "k", type: "call_ended", callId: null, orgId: null, payload: {}, receivedAt: 1 },
  records: [],
  mode: "lease" as const,
  leaseMs: 1000,
  now: 1,
};

describe("errors become typed storage errors, without secrets", () => {
  it("redacts keys and tokens from any text", () => {
    const text = `bad ${KEY} and ${NEW_KEY} apikey=abc123 Authorization: Bearer xyz.abc password=hunter2`;
    const out = redact(text);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(NEW_KEY);
    expect(out).not.toContain("abc123");
    expect(out).not.toContain("xyz.abc");
    expect(out).not.toContain("hunter2");
  });

  it("an unreachable API is a SupabaseStorageError (a WebhookStorageError) for every operation", async () => {
    const api = await fakeApi(() => undefined);
    const url = api.url;
    await api.close(); // now nothing listens there
    const storage = createSupabaseStorage({ client: client(url) });
    const attempts: Array<Promise<unknown>> = [
      storage.claim(claimRequest),
      storage.complete({ id: "00000000-0000-4000-8000-000000000000", leaseToken: "00000000-0000-4000-8000-000000000001" }, { now: 1 }),
      storage.fail(
        { id: "00000000-0000-4000-8000-000000000000", leaseToken: "00000000-0000-4000-8000-000000000001" },
        { error: "x", retryAt: null, now: 1 },
      ),
      storage.claimDue({ limit: 1, leaseMs: 1, now: 1 }),
      storage.requeue(["00000000-0000-4000-8000-000000000000"], 1),
      storage.getEvent("00000000-0000-4000-8000-000000000000"),
      storage.listEvents(),
      storage.countEvents(),
      storage.getCall("retell", "c"),
    ];
    for (const settled of await Promise.allSettled(attempts)) {
      expect(settled.status).toBe("rejected");
      const error = settled.status === "rejected" ? settled.reason : undefined;
      expect(error).toBeInstanceOf(SupabaseStorageError);
      expect(error).toBeInstanceOf(WebhookStorageError);
      expect((error as Error).message).toMatch(/fetch failed/);
      expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).not.toContain(KEY);
    }
  });

  it("does not retry reads on a 503 (the provider's retry is the retry), and maps the PostgREST error", async () => {
    const api = await fakeApi((res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          code: "PGRST000",
          message: "Database connection error. Retrying the connection.",
          details: `apikey=${KEY}`,
          hint: null,
        }),
      );
    });
    try {
      const storage = createSupabaseStorage({ client: client(api.url) });
      const error = await storage.listEvents().catch((e: unknown) => e);
      expect(api.hits()).toBe(1);
      expect(error).toMatchObject({ httpStatus: 503, postgresCode: "PGRST000", operation: "listEvents" });
      expect((error as Error).message).toContain("Database connection error");
      expect((error as Error).message).not.toContain(KEY);
      expect(JSON.stringify((error as Error).cause)).not.toContain(KEY);
    } finally {
      await api.close();
    }
  });

  it("gives up on a request that hangs after timeoutMs, with a typed error", async () => {
    const api = await fakeApi(() => undefined); // accepts, never answers
    try {
      const storage = createSupabaseStorage({ client: client(api.url, NEW_KEY), timeoutMs: 100 });
      const error = await storage.claim(claimRequest).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SupabaseStorageError);
      expect((error as Error).message).toMatch(/abort|timeout/i);
      expect((error as Error).message).not.toContain(NEW_KEY);
    } finally {
      await api.close();
    }
  });

  it("accepts a client typed with a generated Database, and refuses a missing one or a bad timeout", () => {
    type Database = {
      public: { Tables: Record<string, never>; Views: Record<string, never>; Functions: Record<string, never> };
      analytics: { Tables: Record<string, never>; Views: Record<string, never>; Functions: Record<string, never> };
    };
    const typed = createClient<Database, "analytics">("http://127.0.0.1:1", KEY, { db: { schema: "analytics" } });
    expect(() => createSupabaseStorage({ client: typed })).not.toThrow();
    expect(() => createSupabaseStorage({ client: undefined as never })).toThrow(/SupabaseClient/);
    expect(() => createSupabaseStorage({ client: client("http://127.0.0.1:1"), timeoutMs: 0 })).toThrow(RangeError);
  });

  describe.skipIf(!stack)("against the real API", () => {
    it("explains a schema that is not exposed or not migrated", async () => {
      const storage = storageFor(stack!, { schema: "not_migrated" });
      const error = await storage.claim(claimRequest).catch((e: unknown) => e);
      expect(error).toMatchObject({ postgresCode: "PGRST106" });
      expect((error as Error).message).toMatch(/exposed/);
    });

    it("the pipeline answers 500 when the storage fails, and logs the cause without the key", async () => {
      const logged: string[] = [];
      const storage = createSupabaseStorage({ client: client(stack!.supabaseUrl, "sb_secret_wrong-key-0123456789") });
      const handler = createRetellHandler({
        apiKey: "retell_key",
        storage,
        logger: { error: (message) => logged.push(message), warn: (message) => logged.push(message) },
        on: { call_ended: () => undefined },
      });
      const response = await handler.fetch(await createSignedRetellRequest(retellSample("call_ended"), { apiKey: "retell_key" }));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: "storage_error" });
      expect(logged.join("\n")).toMatch(/claim failed \(HTTP 401\)/);
      expect(logged.join("\n")).not.toContain("wrong-key");
    });
  });
});

describe("a shared stack is available here", () => {
  it.runIf(process.env.CI === "true")("in CI the integration tests never skip", () => {
    expect(stack).not.toBeNull();
  });
});
