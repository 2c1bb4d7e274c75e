import { createHmac } from "node:crypto";
import * as nodeCrypto from "node:crypto";
import Retell from "retell-sdk";
import { describe, expect, it } from "vitest";
import {
  assertRetellSignature,
  nodeHmac,
  signRetellPayload,
  verifyRetellSignature,
  webCryptoHmac,
  WebhookConfigError,
  WebhookSignatureError,
  createRetellHandler,
  type HmacSha256,
} from "@callhooks/webhook-core";
import { retellFixtures } from "./helpers.ts";

const KEY = "key_4f1e9a2b7d3f8e0a5c1d2b9e7";
const backends: Array<[string, HmacSha256]> = [
  ["node:crypto", nodeHmac(nodeCrypto)],
  ["WebCrypto", webCryptoHmac()],
];

const reason = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof WebhookSignatureError ? error.reason : `unexpected: ${String(error)}`;
  }
};

describe("Retell's published test vector", () => {
  it.each(backends)("signs it exactly (%s)", async (_name, hmac) => {
    const header = await signRetellPayload('{"event":"call_ended"}', "test-api-key", { timestamp: 1700000000000, hmac });
    expect(header).toBe("v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e");
    expect(await verifyRetellSignature('{"event":"call_ended"}', header, "test-api-key", { now: 1700000000000, hmac })).toBe(true);
  });
});

describe.each(backends)("verifyRetellSignature with %s against the retell-sdk oracle", (_name, hmac) => {
  const fixtures = retellFixtures();

  it.each(fixtures.map((f) => [f.name, f] as const))("retell-sdk signs %s → we verify (string and bytes)", async (_n, fixture) => {
    const header = await Retell.sign(fixture.text, KEY);
    expect(await verifyRetellSignature(fixture.text, header, KEY, { hmac })).toBe(true);
    expect(await verifyRetellSignature(fixture.bytes, header, KEY, { hmac })).toBe(true);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("we sign %s → retell-sdk verifies", async (_n, fixture) => {
    const header = await signRetellPayload(fixture.bytes, KEY, { hmac });
    expect(await Retell.verify(fixture.text, KEY, header)).toBe(true);
  });

  it("agrees with a raw node:crypto HMAC over body + timestamp", async () => {
    const body = '{"event":"call_started","call":{"call_id":"c"}}';
    const header = await signRetellPayload(body, KEY, { timestamp: 1714608475945, hmac });
    const digest = createHmac("sha256", KEY)
      .update(body + "1714608475945")
      .digest("hex");
    expect(header).toBe(`v=1714608475945,d=${digest}`);
  });

  it("handles non-ASCII bodies byte for byte (accents, emoji, CJK)", async () => {
    const body = JSON.stringify({ event: "call_ended", call: { transcript: "¿Mañana a las 3? Sí 👍 — 予約" } });
    const bytes = new TextEncoder().encode(body);
    const theirs = await Retell.sign(body, KEY);
    expect(await verifyRetellSignature(bytes, theirs, KEY, { hmac })).toBe(true);
    const ours = await signRetellPayload(bytes, KEY, { hmac });
    expect(await Retell.verify(body, KEY, ours)).toBe(true);
    // The classic bug: the body re-serialised with escapes is different bytes.
    const reserialised = JSON.stringify(JSON.parse(body)).replace("ñ", "\\u00f1");
    expect(await verifyRetellSignature(reserialised, theirs, KEY, { hmac })).toBe(false);
  });

  it("rejects a tampered body, a wrong key, and a re-serialised body", async () => {
    const fixture = fixtures.find((f) => f.name === "call_started.phone.json")!;
    const header = await Retell.sign(fixture.text, KEY);
    expect(await reason(assertRetellSignature(fixture.text.replace("ongoing", "ended"), header, KEY, { hmac }))).toBe("signature_mismatch");
    expect(await reason(assertRetellSignature(fixture.text, header, `${KEY}x`, { hmac }))).toBe("signature_mismatch");
    const reserialised = JSON.stringify(JSON.parse(fixture.text));
    expect(reserialised).not.toBe(fixture.text);
    expect(await reason(assertRetellSignature(reserialised, header, KEY, { hmac }))).toBe("signature_mismatch");
  });

  it("accepts timestamps within the tolerance both ways (inclusive) and rejects beyond", async () => {
    const now = 1_800_000_000_000;
    const body = "{}";
    const at = async (offset: number, toleranceMs?: number) =>
      reason(
        assertRetellSignature(body, await signRetellPayload(body, KEY, { timestamp: now + offset, hmac }), KEY, {
          now,
          hmac,
          ...(toleranceMs !== undefined && { toleranceMs }),
        }),
      );
    expect(await at(-300_000)).toBe("ok");
    expect(await at(300_000)).toBe("ok");
    expect(await at(-300_001)).toBe("timestamp_out_of_range");
    expect(await at(300_001)).toBe("timestamp_out_of_range");
    expect(await at(-10_000, 5_000)).toBe("timestamp_out_of_range");
    expect(await at(-4_000, 5_000)).toBe("ok");
  });

  it("rejects a stale signature that retell-sdk made itself", async () => {
    const body = '{"event":"call_ended"}';
    const header = await Retell.sign(body, KEY);
    expect(await verifyRetellSignature(body, header, KEY, { hmac, now: Date.now() + 301_000 })).toBe(false);
    expect(await verifyRetellSignature(body, header, KEY, { hmac, now: Date.now() - 301_000 })).toBe(false);
  });

  it.each([
    ["missing", undefined, "missing_signature"],
    ["empty", "", "missing_signature"],
    ["no digest", "v=1700000000000", "malformed_signature"],
    ["short digest", "v=1700000000000,d=abcd", "malformed_signature"],
    ["non-hex digest", `v=1700000000000,d=${"z".repeat(64)}`, "malformed_signature"],
    ["swapped order", `d=${"a".repeat(64)},v=1700000000000`, "malformed_signature"],
    ["seconds with a fraction", `v=1700000000.5,d=${"a".repeat(64)}`, "malformed_signature"],
    ["negative", `v=-1700000000000,d=${"a".repeat(64)}`, "malformed_signature"],
    ["huge timestamp", `v=${"9".repeat(40)},d=${"a".repeat(64)}`, "malformed_signature"],
    ["extra part", `v=1700000000000,d=${"a".repeat(64)},x=1`, "malformed_signature"],
    ["other scheme", `t=1700000000,v1=${"a".repeat(64)}`, "malformed_signature"],
  ])("rejects a %s header", async (_label, header, expected) => {
    expect(await reason(assertRetellSignature('{"event":"call_ended"}', header, KEY, { hmac, now: 1700000000000 }))).toBe(expected);
  });

  it("accepts an upper-case digest and surrounding whitespace, as retell-sdk does", async () => {
    const header = await signRetellPayload("{}", KEY, { timestamp: 1700000000000, hmac });
    const [v, d] = header.split(",");
    expect(await verifyRetellSignature("{}", `  ${v},d=${d!.slice(2).toUpperCase()} `, KEY, { hmac, now: 1700000000000 })).toBe(true);
  });

  it("accepts a signature made with any of several keys (rotation)", async () => {
    const header = await signRetellPayload("{}", "old-key", { hmac });
    expect(await verifyRetellSignature("{}", header, ["new-key", "old-key"], { hmac })).toBe(true);
    expect(await verifyRetellSignature("{}", header, ["new-key", "other"], { hmac })).toBe(false);
  });

  it("says what to do when given a parsed object instead of the raw body", async () => {
    const error = await assertRetellSignature({ event: "x" } as unknown as string, "v=1,d=00", KEY, { hmac }).catch((e) => e);
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect(error.message).toMatch(/raw body/);
  });
});

describe("handler configuration", () => {
  it("refuses to start without an API key, with whitespace around one, or with an empty list", () => {
    expect(() => createRetellHandler({ apiKey: "" })).toThrow(WebhookConfigError);
    expect(() => createRetellHandler({ apiKey: [] })).toThrow(WebhookConfigError);
    expect(() => createRetellHandler({ apiKey: undefined as unknown as string })).toThrow(/apiKey is required/);
    expect(() => createRetellHandler({ apiKey: ` ${KEY}\n` })).toThrow(/whitespace/);
  });

  it("never puts the key in an error message", async () => {
    const error = await assertRetellSignature("{}", await signRetellPayload("{}", "right"), KEY).catch((e) => e);
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect(JSON.stringify(error.toJSON())).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
  });
});
