import { beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createMightyCallHandler } from "@callhooks/webhook-core";
import { createMightyCallNativeRequest, createMightyCallPushRequest, mightyCallSample } from "@callhooks/webhook-core/testing";

/*
 * Timing cannot be measured reliably in a test, so this proves the path instead: every secret
 * comparison goes through the constant-time `timingSafeEqualStrings` (double HMAC), once per
 * configured secret, whether the candidate is right, wrong, shorter or longer. A plain `===` or
 * an early exit on the first byte would not call it, or call it fewer times.
 */
const calls = vi.hoisted(() => [] as Array<[string, string]>);
vi.mock("../src/crypto/compare.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/crypto/compare.ts")>();
  return {
    ...original,
    timingSafeEqualStrings: async (actual: string, expected: string) => {
      calls.push([actual, expected]);
      return original.timingSafeEqualStrings(actual, expected);
    },
  };
});

const SECRETS = ["push-secret-old", "push-secret-new"];
const API_KEY = "0c7d2e14-5a9b-4f3e-8d61-a2b4c6e8f001";

function handler() {
  return createMightyCallHandler({
    push: { secret: SECRETS },
    native: { apiKey: API_KEY, orgId: "org" },
    storage: createMemoryStorage(),
    logger: {},
  });
}

describe("secret comparisons", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it.each([
    ["right", "push-secret-new", 200],
    ["wrong", "push-secret-nex", 401],
    ["a prefix", "push", 401],
    ["longer", "push-secret-new-and-more", 401],
  ])("compares a %s Bearer token against every secret in constant time", async (_label, token, status) => {
    const response = await handler().fetch(createMightyCallPushRequest(mightyCallSample("call.completed"), { secret: token }));
    expect(response.status).toBe(status);
    expect(calls).toEqual(SECRETS.map((secret) => [token, secret]));
  });

  it.each([
    ["right", API_KEY, 200],
    ["wrong", `${API_KEY.slice(0, -1)}2`, 401],
    ["truncated", API_KEY.slice(0, 8), 401],
  ])("compares a %s ApiKey in constant time", async (_label, key, status) => {
    const response = await handler().fetch(createMightyCallNativeRequest(mightyCallSample("IncomingCall"), { apiKey: key }));
    expect(response.status).toBe(status);
    expect(calls).toEqual([[key, API_KEY]]);
  });

  it.each([
    ["the first account's rotated", "key-a-old", 200],
    ["the second account's", "key-b", 200],
    ["a wrong", "key-b-", 401],
  ])("compares %s ApiKey against every key of every account in constant time", async (_label, key, status) => {
    const accounts = createMightyCallHandler({
      native: {
        accounts: [
          { apiKey: ["key-a", "key-a-old"], orgId: "org-a" },
          { apiKey: "key-b", orgId: "org-b" },
        ],
      },
      storage: createMemoryStorage(),
      logger: {},
    });
    const response = await accounts.fetch(createMightyCallNativeRequest(mightyCallSample("IncomingCall"), { apiKey: key }));
    expect(response.status).toBe(status);
    // No early exit on a match: every key is compared, whichever account (if any) it belongs to.
    expect(calls).toEqual(["key-a", "key-a-old", "key-b"].map((expected) => [key, expected]));
  });
});
