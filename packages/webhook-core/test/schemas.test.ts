import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isKnownRetellEvent,
  parseRetellEvent,
  retellEventTypes,
  WebhookValidationError,
  type RetellEventOf,
} from "@callhooks/webhook-core";
import { retellCallInboundResponseSchema, retellChatInboundResponseSchema, retellEventSchema } from "@callhooks/webhook-core/schemas";
import { retellSample } from "@callhooks/webhook-core/testing";
import { retellFixture, retellFixtures, retellFixturesDir } from "./helpers.ts";

const validationError = (input: unknown): WebhookValidationError => {
  try {
    parseRetellEvent(input);
  } catch (error) {
    if (error instanceof WebhookValidationError) return error;
    throw error;
  }
  throw new Error("expected a WebhookValidationError");
};

describe("Retell fixtures", () => {
  it.each(retellFixtures().map((f) => [f.name, f] as const))("%s parses, keeps every field, and is a known event", (_n, fixture) => {
    const input = JSON.parse(fixture.text);
    const event = parseRetellEvent(input);
    expect(isKnownRetellEvent(event)).toBe(true);
    // Loose objects: parsing is lossless, unknown fields included.
    expect(event).toEqual(input);
  });

  it.each(["call_inbound.response.json", "call_inbound.response.reject.json"])("%s is a valid call_inbound response", (name) => {
    const body = JSON.parse(readFileSync(join(retellFixturesDir, name), "utf8"));
    expect(retellCallInboundResponseSchema.parse(body)).toEqual(body);
  });

  it("chat_inbound.response.json is a valid chat_inbound response", () => {
    const body = JSON.parse(readFileSync(join(retellFixturesDir, "chat_inbound.response.json"), "utf8"));
    expect(retellChatInboundResponseSchema.parse(body)).toEqual(body);
  });

  it("types the call by call_type", () => {
    const web = parseRetellEvent(retellFixture("call_ended.web.json").json) as RetellEventOf<"call_ended">;
    const phone = parseRetellEvent(retellFixture("call_ended.phone.json").json) as RetellEventOf<"call_ended">;
    expect(web.call.call_type).toBe("web_call");
    if (phone.call.call_type === "phone_call") expect(phone.call.from_number).toMatch(/^\+1/);
    else throw new Error("expected a phone call");
  });
});

describe("samples", () => {
  it.each(retellEventTypes)("the %s sample is valid", (type) => {
    const sample = retellSample(type);
    expect(parseRetellEvent(sample).event).toBe(type);
  });
});

describe("forward compatibility", () => {
  const base = () =>
    structuredClone(retellFixture("call_ended.phone.json").json) as { call: Record<string, unknown> } & Record<string, unknown>;

  it("keeps unknown fields at every level", () => {
    const input = base();
    input.brand_new_top_level = { x: 1 };
    input.call.brand_new_field = [1, 2];
    (input.call.call_cost as Record<string, unknown>).surcharge = 3;
    const event = parseRetellEvent(input) as Record<string, unknown> & { call: Record<string, unknown> };
    expect(event.brand_new_top_level).toEqual({ x: 1 });
    expect(event.call.brand_new_field).toEqual([1, 2]);
    expect((event.call.call_cost as Record<string, unknown>).surcharge).toBe(3);
  });

  it("accepts disconnection reasons, statuses and sentiments added later", () => {
    const input = base();
    input.call.disconnection_reason = "some_future_reason";
    input.call.call_status = "paused";
    const event = parseRetellEvent(input) as RetellEventOf<"call_ended">;
    expect(event.call.disconnection_reason).toBe("some_future_reason");
  });

  it("accepts null on every optional field", () => {
    const input = base();
    for (const key of [
      "agent_name",
      "metadata",
      "transcript",
      "recording_url",
      "latency",
      "call_cost",
      "disconnection_reason",
      "transfer_destination",
    ]) {
      input.call[key] = null;
    }
    input.event_timestamp = null;
    expect(() => parseRetellEvent(input)).not.toThrow();
  });

  it("accepts utterance roles added later inside transcript_with_tool_calls", () => {
    const input = base();
    (input.call.transcript_with_tool_calls as unknown[]).push({ role: "hold_music", seconds: 12 });
    expect(() => parseRetellEvent(input)).not.toThrow();
  });

  it("returns an unknown event type as sent, and the union schema agrees", () => {
    const input = { event: "call_paused", call: { call_id: "c1" }, extra: true };
    const event = parseRetellEvent(input);
    expect(isKnownRetellEvent(event)).toBe(false);
    expect(event).toEqual(input);
    expect(retellEventSchema.safeParse(input).success).toBe(true);
  });

  it("reads the legacy `data` envelope as the call", () => {
    const input = base();
    const { call } = input;
    const legacy = { event: "call_ended", data: call };
    const event = parseRetellEvent(legacy) as RetellEventOf<"call_ended">;
    expect(event.call.call_id).toBe(call.call_id);
  });
});

describe("invalid payloads", () => {
  it("names the path and problem, and never echoes the payload", () => {
    const input = structuredClone(retellFixture("call_started.phone.json").json) as { call: Record<string, unknown> };
    input.call.call_id = 12345;
    input.call.from_number = "secret-looking-value-+1999";
    input.call.agent_id = ["secret-looking-value"];
    const error = validationError(input);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_payload");
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["call.call_id", "call.agent_id"]));
    expect(error.message).toMatch(/call_started/);
    expect(JSON.stringify(error.toJSON())).not.toContain("secret-looking-value");
    expect(JSON.stringify(error.toJSON())).not.toContain("12345");
  });

  it.each([
    ["an array", []],
    ["a string", "call_ended"],
    ["null", null],
    ["an object without event", { call: {} }],
    ["a numeric event", { event: 3 }],
  ])("rejects %s", (_label, input) => {
    expect(validationError(input).code).toBe("invalid_payload");
  });

  it("does not mistake Object.prototype names for event types", () => {
    for (const event of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(isKnownRetellEvent(parseRetellEvent({ event }))).toBe(false);
    }
  });

  it("rejects a known event whose body is wrong, even through the union schema", () => {
    expect(() => parseRetellEvent({ event: "call_ended", call: { call_id: "x" } })).toThrow(WebhookValidationError);
    expect(retellEventSchema.safeParse({ event: "call_ended", call: { call_id: "x" } }).success).toBe(false);
  });

  it("rejects an unknown call_type and a call without its id, which the pipeline needs", () => {
    const input = structuredClone(retellFixture("call_started.phone.json").json) as { call: Record<string, unknown> };
    input.call.call_type = "fax_call";
    expect(validationError(input).issues[0]?.path).toBe("call.call_type");
    input.call.call_type = "phone_call";
    delete input.call.call_id;
    expect(validationError(input).issues[0]?.path).toBe("call.call_id");
  });

  it("requires only what the pipeline needs: a call without numbers, agent, status or cost parts parses", () => {
    const input = structuredClone(retellFixture("call_ended.phone.json").json) as { call: Record<string, unknown> };
    for (const field of ["from_number", "to_number", "direction", "agent_id", "agent_version", "call_status"]) delete input.call[field];
    input.call.call_cost = { combined_cost: 0 };
    const event = parseRetellEvent(input);
    expect(event.event).toBe("call_ended");
  });

  it("rejects inbound responses Retell would refuse", () => {
    expect(retellCallInboundResponseSchema.safeParse({ call_inbound: { dynamic_variables: { n: 1 } } }).success).toBe(false);
    expect(retellCallInboundResponseSchema.safeParse({ call_inbound: { reject: "yes" } }).success).toBe(false);
    expect(retellCallInboundResponseSchema.safeParse({ override_agent_id: "a" }).success).toBe(false);
  });
});
