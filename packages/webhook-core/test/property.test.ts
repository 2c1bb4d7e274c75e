import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createRetellHandler,
  RETELL_SIGNATURE_HEADER,
  retellEventTypes,
  signRetellPayload,
  type RetellEventType,
} from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/testing";

const API_KEY = "key_property_tests_0001";
const EXPECTED = new Set([200, 202, 204, 400, 401, 403, 405, 409, 413]);

/** A handler whose every `on` entry records the exact body it ran for. */
function instrumented() {
  const ran: string[] = [];
  const on = Object.fromEntries(
    retellEventTypes.map((type) => [
      type,
      async (event: unknown) => {
        ran.push(JSON.stringify(event));
        if (type === "call_inbound") return { call_inbound: {} };
        if (type === "chat_inbound") return { chat_inbound: {} };
        return undefined;
      },
    ]),
  );
  const handler = createRetellHandler({
    apiKey: API_KEY,
    storage: createMemoryStorage(),
    on,
    onUnknown: async (e) => void ran.push(JSON.stringify(e)),
    maxBodyBytes: 64 * 1024,
    logger: {},
  });
  return { handler, ran };
}

const arbType = fc.constantFrom(...retellEventTypes);
const arbHeaderValue = fc.oneof(
  fc.string(),
  fc.constant(""),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.stringMatching(/^[0-9a-fA-F]{0,70}$/)).map(([v, d]) => `v=${v},d=${d}`),
  fc.integer({ min: -1e6, max: 1e6 }).map((offset) => `v=${Date.now() + offset},d=${"0".repeat(64)}`),
);
const arbBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 2048 }),
  fc.json().map((j) => j),
  arbType.map((t) => JSON.stringify(retellSample(t))),
  fc.tuple(arbType, fc.jsonValue()).map(([t, extra]) => JSON.stringify({ ...retellSample(t), call: extra })),
);

async function send(
  handler: ReturnType<typeof instrumented>["handler"],
  method: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
) {
  const init: RequestInit = { method, headers };
  if (method !== "GET" && method !== "HEAD") init.body = body as BodyInit;
  const response = await handler.fetch(new Request("http://localhost/hook", init));
  await response.arrayBuffer();
  return response.status;
}

describe("property: arbitrary requests through handler.fetch", () => {
  it("never crash, never 5xx with a healthy storage, never run a handler without a valid signature", async () => {
    const { handler, ran } = instrumented();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE"),
        arbBody,
        fc.option(arbHeaderValue, { nil: undefined }),
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z-]{0,20}$/),
          fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
          { maxKeys: 3 },
        ),
        async (method, body, signature, extra) => {
          const headers: Record<string, string> = { ...extra };
          delete headers[RETELL_SIGNATURE_HEADER];
          if (signature !== undefined) headers[RETELL_SIGNATURE_HEADER] = signature;
          const status = await send(handler, method, body, headers);
          expect(EXPECTED.has(status)).toBe(true);
          expect(ran).toHaveLength(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("genuine requests with arbitrary JSON and odd event names: never a 5xx", async () => {
    const { handler } = instrumented();
    // Any UTF-16 code unit, lone surrogates included: JSON can carry them (as \\ud800 escapes).
    const anyUnits = (maxLength: number) =>
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });
    const oddEvents = fc.oneof(
      arbType,
      fc.constantFrom("toString", "hasOwnProperty", "constructor", "__proto__", "valueOf", "", " call_ended"),
      anyUnits(12),
    );
    const arbBody = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.tuple(oddEvents, fc.jsonValue({ maxDepth: 3 })).map(([event, call]) => JSON.stringify({ event, call })),
      fc.tuple(arbType, anyUnits(24)).map(([type, id]) => JSON.stringify(retellSample(type, { callId: id || "c", chatId: id || "c" }))),
    );
    await fc.assert(
      fc.asyncProperty(arbBody, async (body) => {
        const signature = await signRetellPayload(body, API_KEY);
        const status = await send(handler, "POST", body, { "content-type": "application/json", [RETELL_SIGNATURE_HEADER]: signature });
        expect(EXPECTED.has(status)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("mutated signed requests: only the untouched ones run a handler, nothing crashes", async () => {
    const { handler, ran } = instrumented();
    let signedAndUntouched = 0;
    await fc.assert(
      fc.asyncProperty(
        arbType,
        fc.string({ maxLength: 12 }),
        fc.oneof(
          fc.constant({ kind: "none" as const }),
          fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
          fc.record({ kind: fc.constant("append" as const), text: fc.string({ minLength: 1, maxLength: 5 }) }),
          fc.record({ kind: fc.constant("header" as const), at: fc.nat(), char: fc.constantFrom("0", "f", "x", ",", " ") }),
          fc.record({ kind: fc.constant("restamp" as const), delta: fc.integer({ min: -600_000, max: 600_000 }).filter((d) => d !== 0) }),
        ),
        async (type: RetellEventType, salt, mutation) => {
          const sample = retellSample(type, { callId: `call_${salt}_${Math.random()}`, chatId: `chat_${salt}_${Math.random()}` });
          const original = new TextEncoder().encode(JSON.stringify(sample));
          let body: Uint8Array = original;
          let signature = await signRetellPayload(original, API_KEY);
          if (mutation.kind === "flip") {
            body = original.slice();
            const i = mutation.at % body.length;
            body[i] = (body[i] as number) ^ (1 << mutation.bit);
          } else if (mutation.kind === "truncate") {
            body = original.slice(0, mutation.at % original.length);
          } else if (mutation.kind === "append") {
            body = new Uint8Array([...original, ...new TextEncoder().encode(mutation.text)]);
          } else if (mutation.kind === "header") {
            const i = mutation.at % signature.length;
            signature = signature.slice(0, i) + mutation.char + signature.slice(i + 1);
          } else if (mutation.kind === "restamp") {
            const [v, d] = signature.split(",");
            signature = `v=${Number(v!.slice(2)) + mutation.delta},${d}`;
          }
          const untouched =
            body.length === original.length &&
            body.every((b, i) => b === original[i]) &&
            signature === (await signRetellPayload(original, API_KEY, { timestamp: Number(signature.slice(2, signature.indexOf(","))) }));
          const before = ran.length;
          const status = await send(handler, "POST", body, { "content-type": "application/json", [RETELL_SIGNATURE_HEADER]: signature });
          expect(EXPECTED.has(status)).toBe(true);
          if (!untouched) {
            expect(ran.length).toBe(before);
          } else {
            signedAndUntouched++;
            expect(status).toBeLessThan(300);
            expect(ran.length).toBe(before + 1);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(signedAndUntouched).toBeGreaterThan(0);
  });
});
