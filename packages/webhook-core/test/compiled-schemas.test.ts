import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseRetellEvent, retellEventTypes, WebhookValidationError, type RetellEventType } from "@callhooks/webhook-core";
import { retellEventSchemas } from "@callhooks/webhook-core/schemas";
import { retellSample } from "@callhooks/webhook-core/testing";
import { RETELL_COMPILE_AFTER } from "../src/retell/schemas.ts";
import { retellFixtures } from "./helpers.ts";

/*
 * parseRetellEvent switches each event type to zod's compiled parser (z.compile) once the type is
 * hot. These tests prove that the switch cannot be observed: on every fixture and on fuzzed inputs,
 * the compiled schema accepts exactly what the runtime schema accepts, returns the same value (same
 * keys in the same order, same prototypes), and fails with the same issues.
 */

const compiled = Object.fromEntries(
  retellEventTypes.map((type) => [type, z.compile(retellEventSchemas[type] as z.ZodType, { strict: true })]),
) as Record<RetellEventType, z.ZodType>;

function expectSameResult(type: RetellEventType, input: unknown) {
  // Each parser gets its own copy: neither may depend on what the other did to the input.
  const runtime = (retellEventSchemas[type] as z.ZodType).safeParse(structuredCloneKeepingProto(input));
  const fast = compiled[type].safeParse(structuredCloneKeepingProto(input));
  expect(fast.success).toBe(runtime.success);
  if (runtime.success && fast.success) {
    expect(isDeepStrictEqual(fast.data, runtime.data)).toBe(true);
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(runtime.data));
  } else {
    expect(fast.error?.issues).toEqual(runtime.error?.issues);
  }
}

/** structuredClone drops own `__proto__` keys' special status; JSON round trips keep them as own keys. */
function structuredCloneKeepingProto(value: unknown): unknown {
  if (value === undefined) return undefined;
  return containsNonJson(value) ? structuredClone(value) : JSON.parse(JSON.stringify(value));
}

function containsNonJson(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value !== "object" || value === null) return value === undefined;
  return Object.values(value).some(containsNonJson);
}

/** Every path to an object key or array index inside `value`. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  if (typeof value !== "object" || value === null) return out;
  for (const key of Object.keys(value)) {
    // An array may carry an own "__proto__" key too (see the "proto" mutation): not an index.
    const path = [...prefix, Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key];
    out.push(path);
    paths((value as Record<string, unknown>)[key], path, out);
  }
  return out;
}

type Mutation =
  | { kind: "set"; at: number; value: unknown }
  | { kind: "delete"; at: number }
  | { kind: "proto"; at: number; value: unknown };

function mutate(base: unknown, mutations: Mutation[]): unknown {
  const copy = JSON.parse(JSON.stringify(base));
  for (const mutation of mutations) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = all[mutation.at % all.length] as Array<string | number>;
    const parent = path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy);
    const last = path[path.length - 1] as string | number;
    if (mutation.kind === "delete") {
      if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
      else delete parent[last];
    } else if (mutation.kind === "proto") {
      const target = typeof parent[last] === "object" && parent[last] !== null ? (parent[last] as object) : parent;
      // What JSON.parse makes of a body with a "__proto__" key: an own, enumerable property.
      Object.defineProperty(target, "__proto__", { value: mutation.value, enumerable: true, writable: true, configurable: true });
    } else {
      parent[last] = mutation.value;
    }
  }
  return copy;
}

const arbReplacement = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(null),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, ""),
  fc.constantFrom(
    "agent",
    "user",
    "tool_call_invocation",
    "tool_call_result",
    "node_transition",
    "dtmf",
    "sms",
    "injected",
    "phone_call",
    "web_call",
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
);
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: arbReplacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("proto" as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 1 }) }) },
);

const fixtures = retellFixtures().map((f) => ({ name: f.name, json: JSON.parse(f.text) as { event: RetellEventType } }));

describe("zod's compiled parser is equivalent to the runtime parser on the Retell schemas", () => {
  it("compiles every event schema completely (no part left to the runtime)", () => {
    for (const type of retellEventTypes) expect(() => z.compile(retellEventSchemas[type] as z.ZodType, { strict: true })).not.toThrow();
  });

  it.each(fixtures.map((f) => [f.name, f.json] as const))("%s: same value, same key order", (_name, json) => {
    expectSameResult(json.event, json);
  });

  it("samples of every event type: same result", () => {
    for (const type of retellEventTypes) expectSameResult(type, retellSample(type));
  });

  it("fuzzed fixtures (values replaced, keys deleted, __proto__ keys added): same result", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (fixture, mutations) => {
        expectSameResult(fixture.json.event, mutate(fixture.json, mutations));
      }),
      { numRuns: 600 },
    );
  });

  it("fuzzed samples of every type: same result", () => {
    fc.assert(
      fc.property(fc.constantFrom(...retellEventTypes), fc.array(arbMutation, { minLength: 1, maxLength: 3 }), (type, mutations) => {
        expectSameResult(type, mutate(retellSample(type), mutations));
      }),
      { numRuns: 600 },
    );
  });

  it("arbitrary values: same result", () => {
    fc.assert(
      fc.property(fc.constantFrom(...retellEventTypes), fc.anything({ maxDepth: 3 }), (type, value) => {
        expectSameResult(type, value);
      }),
      { numRuns: 400 },
    );
  });
});

describe("parseRetellEvent before and after an event type is compiled", () => {
  const outcome = (input: unknown) => {
    try {
      return { ok: true, value: JSON.stringify(parseRetellEvent(input)) };
    } catch (error) {
      if (!(error instanceof WebhookValidationError)) throw error;
      return { ok: false, value: JSON.stringify({ message: error.message, issues: error.issues }) };
    }
  };

  it("answers the same, valid and invalid inputs alike", () => {
    const inputs = [
      ...fixtures.map((f) => f.json),
      ...retellEventTypes.map((type) => retellSample(type)),
      ...fixtures.map((f) => mutate(f.json, [{ kind: "set", at: 7, value: 42 }])),
      { event: "call_ended", call: { call_type: "phone_call" } },
      { event: "call_started", data: retellSample("call_started").call }, // the legacy `data` key
    ];
    const cold = inputs.map(outcome);
    // Past the threshold, every event type runs on its compiled parser.
    for (const type of retellEventTypes) {
      const sample = retellSample(type);
      for (let i = 0; i < RETELL_COMPILE_AFTER; i++) parseRetellEvent(sample);
    }
    expect(inputs.map(outcome)).toEqual(cold);
  });
});
