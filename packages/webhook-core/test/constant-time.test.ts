import * as nodeCrypto from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  createRetellHandler,
  type HmacSha256,
  nodeHmac,
  signRetellPayload,
  timingSafeEqualStrings,
  webCryptoHmac,
} from "@callhooks/webhook-core";
import { retellSample } from "@callhooks/webhook-core/testing";

/*
 * Timing cannot be measured reliably in a test, so these prove the path: every comparison of a
 * secret or a digest ends in a platform primitive that compares in constant time
 * (`crypto.timingSafeEqual`, `crypto.subtle.verify`), or in HMACs of both sides. A comparison
 * rewritten as `===`, or as a loop that stops at the first difference, never reaches them.
 */

/** The HMAC the double-HMAC string comparison runs through, recorded. */
const hmacCalls = vi.hoisted(() => ({ sign: [] as Array<[string, string[]]>, verify: [] as Array<[string, string[]]> }));
vi.mock("../src/crypto/hmac.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/crypto/hmac.ts")>();
  const recorded = (impl: HmacSha256): HmacSha256 => ({
    name: impl.name,
    sign(key, parts) {
      hmacCalls.sign.push([key, parts.map(String)]);
      return impl.sign(key, parts);
    },
    verify(key, parts, expected) {
      hmacCalls.verify.push([key, parts.map(String)]);
      return impl.verify(key, parts, expected);
    },
  });
  return {
    ...original,
    defaultHmac: () => {
      const impl = original.defaultHmac();
      return "verify" in impl ? recorded(impl) : impl.then(recorded);
    },
  };
});

beforeEach(() => {
  hmacCalls.sign.length = 0;
  hmacCalls.verify.length = 0;
});

describe("timingSafeEqualStrings", () => {
  it.each([
    ["equal", "s3cret-value", "s3cret-value", true],
    ["different", "s3cret-valuf", "s3cret-value", false],
    ["a prefix", "s3cret", "s3cret-value", false],
    ["longer", "s3cret-value-and-more", "s3cret-value", false],
  ])("compares %s strings as HMACs of both under a key of its own", async (_label, actual, expected, equal) => {
    expect(await timingSafeEqualStrings(actual, expected)).toBe(equal);
    expect(hmacCalls.sign).toHaveLength(1);
    expect(hmacCalls.verify).toHaveLength(1);
    const [signKey, signed] = hmacCalls.sign[0] as [string, string[]];
    const [verifyKey, verified] = hmacCalls.verify[0] as [string, string[]];
    expect(signed).toEqual([expected]);
    expect(verified).toEqual([actual]);
    expect(verifyKey).toBe(signKey);
    expect([actual, expected]).not.toContain(signKey);
  });
});

describe("the HMAC implementations", () => {
  const key = "key_constant_time";
  const parts = ['{"event":"call_ended"}', "1780000000000"];
  const digest = new Uint8Array(nodeCrypto.createHmac("sha256", key).update(parts.join("")).digest());
  const wrong = digest.map((byte, i) => (i === 0 ? byte ^ 1 : byte));

  it("node: verify ends in crypto.timingSafeEqual, for a right and a wrong digest alike", () => {
    const timingSafeEqual = vi.fn(nodeCrypto.timingSafeEqual);
    const hmac = nodeHmac({ ...nodeCrypto, timingSafeEqual } as unknown as Parameters<typeof nodeHmac>[0]);
    expect(hmac.verify(key, parts, digest)).toBe(true);
    expect(hmac.verify(key, parts, wrong)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it("webcrypto: verify is crypto.subtle.verify, which compares inside the platform", async () => {
    const subtle = globalThis.crypto.subtle;
    const verify = vi.fn(subtle.verify.bind(subtle));
    const hmac = webCryptoHmac(
      new Proxy(subtle, { get: (target, name) => (name === "verify" ? verify : Reflect.get(target, name).bind(target)) }),
    );
    expect(await hmac.verify(key, parts, digest)).toBe(true);
    expect(await hmac.verify(key, parts, wrong)).toBe(false);
    expect(verify).toHaveBeenCalledTimes(2);
  });
});

describe("Retell signatures", () => {
  it("are checked by the HMAC's verify under each configured key, never by comparing text", async () => {
    const real = webCryptoHmac();
    const verified: string[] = [];
    const hmac: HmacSha256 = {
      name: "webcrypto",
      sign: real.sign,
      verify(k, p, e) {
        verified.push(k);
        return real.verify(k, p, e);
      },
    };
    const handler = createRetellHandler({ apiKey: ["key_old", "key_new"], hmac, logger: {} });
    const body = JSON.stringify(retellSample("call_started"));
    const deliver = async (signingKey: string) =>
      (await handler.handle({ method: "POST", headers: { "x-retell-signature": await signRetellPayload(body, signingKey) }, body })).status;
    expect(await deliver("key_new")).toBe(200);
    expect(verified).toEqual(["key_old", "key_new"]);
    verified.length = 0;
    expect(await deliver("key_forged")).toBe(401);
    expect(verified).toEqual(["key_old", "key_new"]);
  });
});
