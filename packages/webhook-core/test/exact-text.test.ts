import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  type ClaimRequest,
  createMightyCallHandler,
  createRetellHandler,
  mightyCallNativeEventTypes,
  mightyCallPushEventTypes,
  RETELL_SIGNATURE_HEADER,
  retellEventTypes,
  signRetellPayload,
  type WebhookStorage,
} from "@callhooks/webhook-core";
import { createWebhookHandler } from "@callhooks/webhook-core/provider";
import {
  createMightyCallNativeRequest,
  createMightyCallPushRequest,
  mightyCallSample,
  retellSample,
} from "@callhooks/webhook-core/testing";
import { z } from "zod";
import { retellFixtures } from "./helpers.ts";

/*
 * `payloadTextExact` lets a storage keep references into the body text instead of parsed trees
 * (storage-memory's call records do). Its promise: the text parses back to exactly the payload the
 * pipeline hands the storage. These tests hold the pipeline to it on real, sampled and fuzzed bodies,
 * and check that the bodies where it cannot hold are not marked.
 */

const API_KEY = "key_exact_text_tests_01";
const SECRET = "push-secret-exact-text";
const NATIVE_KEY = "native-key-exact-text";

/** A real storage behind a recorder of the claim requests it was given. */
function recorded() {
  const inner = createMemoryStorage();
  const claims: ClaimRequest[] = [];
  const storage: WebhookStorage = {
    ...inner,
    claim(request) {
      claims.push(request);
      return inner.claim(request);
    },
  };
  return { storage, claims };
}

function retell() {
  const { storage, claims } = recorded();
  const on = Object.fromEntries(retellEventTypes.map((type) => [type, () => undefined]));
  const handler = createRetellHandler({ apiKey: API_KEY, storage, on, onUnknown: () => undefined, logger: {} });
  const send = async (body: string) => {
    const before = claims.length;
    const response = await handler.fetch(
      new Request("http://localhost/hook", {
        method: "POST",
        headers: { "content-type": "application/json", [RETELL_SIGNATURE_HEADER]: await signRetellPayload(body, API_KEY) },
        body,
      }),
    );
    return { status: response.status, claim: claims.length > before ? claims.at(-1) : undefined };
  };
  return { send, claims };
}

/** The promise itself: marked exact ⇒ the text parses to a value deep-equal to the payload. */
function expectPromiseKept(claim: ClaimRequest | undefined) {
  if (!claim?.event.payloadTextExact) return;
  const { payloadText, payload } = claim.event;
  expect(payloadText).toBeTypeOf("string");
  expect(isDeepStrictEqual(JSON.parse(payloadText as string), payload)).toBe(true);
}

const realDir = new URL("./fixtures/retell-real/", import.meta.url);
const realFixtures = readdirSync(realDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ name, text: readFileSync(join(realDir.pathname, name), "utf8") }));

describe("payloadTextExact: the body text is the stored payload", () => {
  it("marks every fixture, real body and sample that validates, and keeps the promise for each", async () => {
    const { send } = retell();
    const bodies = [
      ...retellFixtures().map((f) => ({ name: f.name, text: f.text })),
      ...realFixtures,
      ...retellEventTypes.map((type) => ({ name: `sample ${type}`, text: JSON.stringify(retellSample(type)) })),
    ];
    let marked = 0;
    for (const body of bodies) {
      const { claim } = await send(body.text);
      expectPromiseKept(claim);
      if (claim?.mode !== "quarantine") {
        expect(claim?.event.payloadTextExact, body.name).toBe(true);
        marked++;
      }
    }
    // Not vacuous: most bodies are claimed as valid events.
    expect(marked).toBeGreaterThan(bodies.length / 2);
  });

  it("marks MightyCall push bodies; native bodies lose their ApiKey, so they are not marked", async () => {
    const { storage, claims } = recorded();
    const handler = createMightyCallHandler({
      push: { secret: SECRET },
      native: { apiKey: NATIVE_KEY, orgId: "org-exact" },
      storage,
      logger: {},
    });
    for (const type of mightyCallPushEventTypes) {
      const response = await handler.fetch(
        createMightyCallPushRequest(mightyCallSample(type, { callId: `exact-${type}` }), { secret: SECRET }),
      );
      expect(response.status).toBe(200);
      expect(claims.at(-1)?.event.payloadTextExact, type).toBe(true);
      expectPromiseKept(claims.at(-1));
    }
    for (const type of mightyCallNativeEventTypes) {
      const before = claims.length;
      const request = createMightyCallNativeRequest(mightyCallSample(type, { callId: `exact-${type}` }), { apiKey: NATIVE_KEY });
      expect((await handler.fetch(request)).status, type).toBe(200);
      expect(claims.length, type).toBe(before + 1);
      expect(claims.at(-1)?.event.payloadText, type).toBeUndefined();
      expect(claims.at(-1)?.event.payloadTextExact, type).toBe(false);
    }
  });

  it("does not mark the bodies of a custom definition that says its parse transforms", async () => {
    // Strips keys below the top level: the text holds what the payload does not.
    const schema = z.object({ kind: z.string(), item: z.object({ id: z.string(), detail: z.object({ a: z.number() }) }) });
    const ONLY_IN_TEXT = `in the text only ${"·".repeat(10_000)}`;
    const send = async (transforms: boolean | undefined) => {
      const { storage, claims } = recorded();
      const handler = createWebhookHandler<z.infer<typeof schema>>(
        {
          provider: "custom",
          authenticate: () => undefined,
          parse: (body) => schema.parse(body),
          ...(transforms !== undefined && { transforms }),
          describe: (event) => ({
            type: event.kind,
            key: `${event.kind}:${event.item.id}`,
            callId: event.item.id,
            orgId: null,
            records: [
              {
                kind: "call",
                provider: "custom",
                id: event.item.id,
                orgId: null,
                eventType: event.kind,
                version: "10",
                fields: {},
                data: event.item,
              },
            ],
            payload: event,
          }),
        },
        { on: { done: () => undefined }, isKnown: (type) => type === "done" },
        { storage, logger: {} },
      );
      // Large enough (storage-memory references only large bodies) for a storage to show the difference.
      const body = JSON.stringify({ kind: "done", item: { id: `i-${transforms}`, detail: { a: 1, secret: ONLY_IN_TEXT } } });
      expect((await handler.handle({ method: "POST", headers: {}, body })).status).toBe(200);
      const record = await storage.getRecord("call", "custom", `i-${transforms}`);
      return { exact: claims.at(-1)?.event.payloadTextExact, data: record?.data };
    };
    expect(await send(true)).toEqual({ exact: false, data: { id: "i-true", detail: { a: 1 } } });
    // Unsaid, the promise is broken and a storage shows it: why the definition must say so.
    expect(await send(undefined)).toEqual({ exact: true, data: { id: "i-undefined", detail: { a: 1, secret: ONLY_IN_TEXT } } });
  });

  it("does not mark a legacy body, whose call validation adds from `data`", async () => {
    const { send } = retell();
    const { call, ...rest } = retellSample("call_ended", { callId: "legacy-exact" }) as { call: unknown };
    const { status, claim } = await send(JSON.stringify({ ...rest, data: call }));
    expect(status).toBe(200);
    expect(claim?.records).toHaveLength(1);
    expect(claim?.event.payloadTextExact).toBe(false);
  });

  it("does not mark a body with a __proto__ key anywhere, written plainly or escaped", async () => {
    const { send } = retell();
    const text = JSON.stringify(retellSample("call_ended", { callId: "proto-exact" }));
    const nested = text.replace('"call_id":', '"metadata":{"__proto__":{"x":1}},"call_id":');
    for (const [name, body] of [
      ["plain", nested],
      ["escaped _", nested.replace("__proto__", "\\u005f_proto__")],
      ["escaped t", nested.replace("__proto__", "__pro\\u0074o__")],
    ] as const) {
      const { status, claim } = await send(body);
      expect(status, name).toBe(200);
      expect(claim?.mode, name).not.toBe("quarantine");
      expect(claim?.event.payloadTextExact, name).toBe(false);
    }
  });

  it("keeps the promise on fuzzed bodies: unknown keys, __proto__ keys, legacy envelopes, odd values", async () => {
    const { send } = retell();
    const key = fc.oneof(fc.constantFrom("__proto__", "\\u005f_proto__", "call", "data", "metadata", "x"), fc.string({ maxLength: 6 }));
    const value = fc.jsonValue({ maxDepth: 2 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...retellEventTypes),
        fc.array(fc.tuple(fc.constantFrom("top", "call"), key, value), { maxLength: 4 }),
        fc.boolean(),
        async (type, additions, legacy) => {
          const sample = retellSample(type, { callId: "fuzz-exact" }) as Record<string, unknown>;
          let text = JSON.stringify(sample);
          for (const [where, name, added] of additions) {
            const member = `${JSON.stringify(name).replace(/\\\\u/g, "\\u")}:${JSON.stringify(added)},`;
            text = where === "top" ? text.replace("{", `{${member}`) : text.replace('"call":{', `"call":{${member}`);
          }
          if (legacy) text = text.replace('"call":', '"data":');
          const { claim } = await send(text);
          expectPromiseKept(claim);
        },
      ),
      { numRuns: process.env.CI ? 300 : 150 },
    );
  });
});
