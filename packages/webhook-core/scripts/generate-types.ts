/**
 * Writes the event types users see as named interfaces, from the zod schemas themselves.
 *
 * Why: `z.infer` of these schemas is correct but expensive. Declarations emit it as expanded zod
 * generics (over a megabyte, twice: `.d.ts` and `.d.cts`), and every app re-instantiates them in
 * its editor and CI. Interfaces are read once and referenced by name. They are generated, never
 * written by hand, so the schemas stay the one definition; `test/types.generated.test-d.ts` (also
 * generated) checks each interface equal to `z.output` (or `z.input`) of its schema, and
 * `test/generated.test.ts` fails when a schema changed and this script was not run again.
 *
 *   pnpm --filter @callhooks/webhook-core run generate      (also run by `build`)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as native from "../src/mightycall/native-schemas.ts";
import * as push from "../src/mightycall/push-schemas.ts";
import * as retell from "../src/retell/schemas.ts";

type Mode = "output" | "input";

interface Named {
  /** The type's name. */
  name: string;
  /** The schema's export name in its module. */
  schema: string;
  doc: string;
  /** `input` for what a handler returns (validated as sent, never parsed into something else). */
  mode?: Mode;
  /** Also exported from `@callhooks/webhook-core/schemas`, typed by this interface. */
  public?: boolean;
  /**
   * Where the type is declared when this entry does not declare it: `module`, by hand in the schemas'
   * module from generated ones (`RetellEvent`); `map`, as an entry of an event map. Either way it is
   * checked against the schema, and types the schema in `/schemas`.
   */
  declaredIn?: "module" | "map";
}

interface EventMap {
  /** The map's name, e.g. `RetellEventMap`. */
  name: string;
  /** The schemas-by-type record's export name. */
  schema: string;
  /** The interface name of one entry. */
  entryName: (type: string) => string;
  doc: string;
}

interface Source {
  /** Where the schemas are, relative to `src/`, as imports write it. */
  module: string;
  exports: Record<string, unknown>;
  /** The module's function that builds its schemas on first use, when they are not built at import. */
  builder?: string;
  /** Where the interfaces go, relative to `src/`. */
  out: string;
  types: Named[];
  maps: EventMap[];
}

const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

const SOURCES: Source[] = [
  {
    module: "retell/schemas",
    exports: retell,
    out: "retell/types.generated.ts",
    types: [
      { name: "RetellTranscriptWord", schema: "retellTranscriptWordSchema", doc: "One word of a transcript, with its timing in seconds." },
      { name: "RetellTranscriptEntry", schema: "retellTranscriptEntrySchema", doc: "One entry of `transcript_object`.", public: true },
      { name: "RetellMultimedia", schema: "retellMultimediaSchema", doc: "A file sent or received in a conversation." },
      {
        name: "RetellUtterance",
        schema: "retellUtteranceSchema",
        doc: "One entry of `transcript_with_tool_calls`; roles Retell adds later parse as the last member.",
        public: true,
      },
      { name: "RetellLatencyStats", schema: "retellLatencyStatsSchema", doc: "Latency statistics of one stage, in milliseconds." },
      { name: "RetellCallLatency", schema: "retellCallLatencySchema", doc: "Latency of each stage of a call." },
      { name: "RetellProductCost", schema: "retellProductCostSchema", doc: "One billed product of a call or chat (costs in cents)." },
      { name: "RetellCallAnalysis", schema: "retellCallAnalysisSchema", doc: "The post-call analysis (`call_analyzed`).", public: true },
      { name: "RetellCallCost", schema: "retellCallCostSchema", doc: "What a call cost, in cents.", public: true },
      { name: "RetellPhoneCall", schema: "retellPhoneCallSchema", doc: "A phone call, as every call event carries it.", public: true },
      { name: "RetellWebCall", schema: "retellWebCallSchema", doc: "A web call, as every call event carries it.", public: true },
      { name: "RetellCall", schema: "retellCallSchema", doc: "The call of every call event, by `call_type`.", public: true },
      {
        name: "RetellChatMessage",
        schema: "retellChatMessageSchema",
        doc: "One message of a chat's `message_with_tool_calls`.",
        public: true,
      },
      { name: "RetellChat", schema: "retellChatSchema", doc: "The chat of every chat event.", public: true },
      {
        name: "RetellTransferDestination",
        schema: "retellTransferDestinationSchema",
        doc: "Where a transfer goes (the transfer events' top-level `transfer_destination`).",
      },
      {
        name: "RetellUnknownEvent",
        schema: "retellUnknownEventSchema",
        doc: "An event type Retell added after this version: kept as sent.",
        public: true,
      },
      { name: "RetellCallInboundEvent", schema: "retellCallInboundSchema", doc: "", public: true, declaredIn: "map" },
      { name: "RetellChatInboundEvent", schema: "retellChatInboundSchema", doc: "", public: true, declaredIn: "map" },
      { name: "RetellKnownEvent", schema: "retellKnownEventSchema", doc: "", public: true, declaredIn: "module" },
      { name: "RetellEvent", schema: "retellEventSchema", doc: "", public: true, declaredIn: "module" },
      {
        name: "RetellCallInboundResponse",
        schema: "retellCallInboundResponseSchema",
        doc: "What a `call_inbound` handler answers; every field is optional.",
        mode: "input",
        public: true,
      },
      {
        name: "RetellChatInboundResponse",
        schema: "retellChatInboundResponseSchema",
        doc: "What a `chat_inbound` handler answers; every field is optional.",
        mode: "input",
        public: true,
      },
    ],
    maps: [
      {
        name: "RetellEventMap",
        schema: "retellEventSchemas",
        entryName: (type) => `Retell${pascal(type)}Event`,
        doc: "Every event Retell documents, by its `event`.",
      },
    ],
  },
  {
    module: "mightycall/push-schemas",
    exports: push.mightyCallPushSchemas(),
    builder: "mightyCallPushSchemas",
    out: "mightycall/types.generated.ts",
    types: [
      { name: "MightyCallMetric", schema: "mightyCallMetricSchema", doc: "One metric of a report.", public: true },
      { name: "MightyCallPushEvent", schema: "mightyCallPushEventSchema", doc: "", public: true, declaredIn: "module" },
      ...(
        [
          ["MightyCallCallCompletedEvent", "mightyCallCallCompletedSchema"],
          ["MightyCallSmsReceivedEvent", "mightyCallSmsReceivedSchema"],
          ["MightyCallSmsSentEvent", "mightyCallSmsSentSchema"],
          ["MightyCallRecordingAvailableEvent", "mightyCallRecordingAvailableSchema"],
          ["MightyCallReportDailyEvent", "mightyCallReportDailySchema"],
          ["MightyCallReportHourlyEvent", "mightyCallReportHourlySchema"],
        ] as const
      ).map(([name, schema]) => ({ name, schema, doc: "", public: true, declaredIn: "map" as const })),
    ],
    maps: [
      {
        name: "MightyCallPushEventMap",
        schema: "mightyCallPushEventSchemas",
        entryName: (type) => `MightyCall${pascal(type)}Event`,
        doc: "Every push event, by its `event`.",
      },
    ],
  },
  {
    module: "mightycall/native-schemas",
    exports: native.mightyCallNativeSchemas(),
    builder: "mightyCallNativeSchemas",
    out: "mightycall/types.generated.ts",
    types: [
      {
        name: "MightyCallNativeBody",
        schema: "mightyCallNativeBodySchema",
        doc: "The `Body` of a native event: the call and its parties.",
        public: true,
      },
      {
        name: "MightyCallUnknownNativeEvent",
        schema: "mightyCallUnknownNativeEventSchema",
        doc: "A native EventType MightyCall added after this version: kept as sent.",
        public: true,
      },
    ],
    maps: [
      {
        name: "MightyCallNativeEventMap",
        schema: "mightyCallNativeEventSchemas",
        entryName: (type) => `MightyCall${type}Event`,
        doc: "Every native event, by its `EventType`.",
      },
    ],
  },
];

// ---- one schema as a type -------------------------------------------------------------------------

interface Def {
  type: string;
  [key: string]: unknown;
}
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const internals = (schema: unknown) => (schema as { _zod: { optin?: string; optout?: string } })._zod;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const key = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

class Printer {
  constructor(
    private readonly names: Map<unknown, string>,
    private readonly mode: Mode,
  ) {}

  /** The type of `schema`; `root` prints a named schema itself rather than its name. */
  type(schema: unknown, indent: string, root = false): string {
    const name = this.names.get(schema);
    if (name && !root) return name;
    const def = defOf(schema);
    switch (def.type) {
      case "string":
      case "number":
      case "boolean":
      case "unknown":
      case "null":
      case "undefined":
      case "never":
        return def.type;
      case "literal":
        return (def.values as unknown[]).map((value) => JSON.stringify(value)).join(" | ");
      case "enum":
        return Object.values(def.entries as Record<string, string>)
          .map((value) => JSON.stringify(value))
          .join(" | ");
      case "optional":
        return `${this.type(def.innerType, indent)} | undefined`;
      case "nullable":
        return `${this.type(def.innerType, indent)} | null`;
      case "array": {
        const element = this.type(def.element, indent);
        return /^[\w$]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
      }
      case "record":
        return `Record<${this.type(def.keyType, indent)}, ${this.type(def.valueType, indent)}>`;
      case "union":
        return this.union(def.options as unknown[], indent);
      case "object":
        return this.object(def, indent);
      default:
        throw new Error(`generate-types: no type for a zod "${def.type}" schema; teach scripts/generate-types.ts`);
    }
  }

  /** `openEnum` is `z.union([z.enum(known), z.string()])` typed as `known | (string & {})`. */
  private union(options: unknown[], indent: string): string {
    const [first, second] = options.map(defOf);
    if (options.length === 2 && first?.type === "enum" && second?.type === "string" && !second.checks && !second.format) {
      return `${this.type(options[0], indent)} | (string & {})`;
    }
    return options.map((option) => this.type(option, indent)).join(" | ");
  }

  private object(def: Def, indent: string): string {
    const inner = `${indent}  `;
    const lines: string[] = [];
    const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
    if (catchall === "unknown") lines.push(`${inner}[key: string]: unknown;`);
    else if (catchall !== undefined && catchall !== "never") throw new Error(`generate-types: an object with a "${catchall}" catchall`);
    for (const [name, field] of Object.entries(def.shape as Record<string, unknown>)) {
      const optional = (this.mode === "output" ? internals(field).optout : internals(field).optin) === "optional";
      lines.push(`${inner}${key(name)}${optional ? "?" : ""}: ${this.type(field, inner)};`);
    }
    return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${indent}}`;
  }
}

function declaration(name: string, schema: unknown, doc: string, printer: Printer): string {
  const body = printer.type(schema, "", true);
  const comment = doc ? `/** ${doc} */\n` : "";
  return defOf(schema).type === "object" ? `${comment}export interface ${name} ${body}` : `${comment}export type ${name} = ${body};`;
}

// ---- the files ------------------------------------------------------------------------------------

const HEADER = "// Generated by scripts/generate-types.ts from the zod schemas: do not edit (run `pnpm run generate`).";
const schemaOf = (source: Source, name: string) => {
  const schema = source.exports[name];
  if (!schema) throw new Error(`generate-types: ${source.module} exports no ${name}`);
  return schema;
};

interface Check {
  name: string;
  module: string;
  declaredIn: "here" | "module" | "map";
  /** How the schema is reached from its module, e.g. `retellEventSchemas.call_ended`. */
  expression: string;
  mode: Mode;
  public: boolean;
}

/** Every file this script writes, by path relative to the package: the interfaces, the `/schemas` entry and the type test. */
export function generate(): Record<string, string> {
  const files = new Map<string, string[]>();
  const checks: Check[] = [];
  const names = new Map<unknown, string>();
  // Every named schema first, so that each is referenced by name wherever it appears.
  for (const source of SOURCES) {
    for (const named of source.types) if (!named.declaredIn) names.set(schemaOf(source, named.schema), named.name);
    for (const map of source.maps) {
      for (const [type, schema] of Object.entries(schemaOf(source, map.schema) as Record<string, unknown>))
        names.set(schema, map.entryName(type));
    }
  }
  for (const source of SOURCES) {
    const out = files.get(source.out) ?? [];
    files.set(source.out, out);
    for (const named of source.types) {
      const mode = named.mode ?? "output";
      checks.push({
        name: named.name,
        module: source.module,
        declaredIn: named.declaredIn ?? "here",
        expression: named.schema,
        mode,
        public: named.public === true,
      });
      if (named.declaredIn) continue;
      const printer = new Printer(names, mode);
      out.push(declaration(named.name, schemaOf(source, named.schema), named.doc, printer));
    }
    for (const map of source.maps) {
      const printer = new Printer(names, "output");
      const entries = Object.entries(schemaOf(source, map.schema) as Record<string, unknown>);
      for (const [type, schema] of entries) {
        const name = map.entryName(type);
        out.push(declaration(name, schema, `The \`${type}\` event.`, printer));
        checks.push({
          name,
          module: source.module,
          declaredIn: "here",
          expression: `${map.schema}[${JSON.stringify(type)}]`,
          mode: "output",
          public: false,
        });
      }
      const fields = entries.map(([type]) => `  ${key(type)}: ${map.entryName(type)};`).join("\n");
      out.push(`/** ${map.doc} */\nexport interface ${map.name} {\n${fields}\n}`);
    }
  }

  const result: Record<string, string> = {};
  for (const [path, declarations] of files) result[`src/${path}`] = `${HEADER}\n\n${declarations.join("\n\n")}\n`;
  result["src/schemas/index.ts"] = schemasEntry(checks);
  result["test/types.generated.test-d.ts"] = typeTest(checks);
  return result;
}

const builderOf = (module: string) => SOURCES.find((s) => s.module === module)?.builder;
const alias = (module: string) => module.replace(/[^A-Za-z]+(.)/g, (_m, c: string) => c.toUpperCase());
const typesModule = (module: string) => `../${module.split("/")[0]}/types.generated.js`;

/**
 * `@callhooks/webhook-core/schemas`: the schema objects, each typed by its interface. Declared as
 * `z.ZodType<Interface>` their declarations stay a line each instead of their full zod expansion.
 */
function schemasEntry(checks: Check[]): string {
  const modules = [...new Set(checks.map((c) => c.module))];
  const lines = [
    HEADER,
    "/**",
    " * The zod schemas the handlers validate with, for apps that validate or document events themselves.",
    " * Each is typed `z.ZodType<T>` by the interface of what it parses (`parse`, `safeParse`,",
    " * `z.toJSONSchema` work as usual).",
    " */",
    'import type { z } from "zod";',
    ...modules.map((m) => (builderOf(m) ? `import { ${builderOf(m)} } from "../${m}.js";` : `import * as ${alias(m)} from "../${m}.js";`)),
  ];
  const types = new Map<string, string[]>();
  for (const check of checks.filter((c) => c.public)) {
    const from = check.declaredIn === "module" ? `../${check.module}.js` : typesModule(check.module);
    types.set(from, [...(types.get(from) ?? []), check.name]);
  }
  const maps = SOURCES.flatMap((s) => s.maps.map((m) => ({ ...m, module: s.module })));
  for (const map of maps) types.set(typesModule(map.module), [...(types.get(typesModule(map.module)) ?? []), map.name]);
  for (const [from, names] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`import type { ${[...new Set(names)].sort().join(", ")} } from "${from}";`);
  }
  lines.push("");
  // The app asked for the schemas themselves: the modules that build theirs on first use build them now.
  for (const m of modules) if (builderOf(m)) lines.push(`const ${alias(m)} = ${builderOf(m)}();`);
  for (const check of checks.filter((c) => c.public)) {
    const type = check.mode === "input" ? `z.ZodType<${check.name}, ${check.name}>` : `z.ZodType<${check.name}>`;
    lines.push(`export const ${check.expression}: ${type} = ${alias(check.module)}.${check.expression};`);
  }
  for (const map of maps) {
    lines.push(
      `export const ${map.schema}: { readonly [K in keyof ${map.name}]: z.ZodType<${map.name}[K]> } = ${alias(map.module)}.${map.schema};`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Each interface equal to what its schema parses to: the proof that no type is written twice. */
function typeTest(checks: Check[]): string {
  const modules = [...new Set(checks.map((c) => c.module))];
  const typeImports = new Map<string, string[]>();
  for (const check of checks) {
    const from = check.declaredIn === "module" ? `../src/${check.module}.js` : `../src/${check.module.split("/")[0]}/types.generated.js`;
    typeImports.set(from, [...(typeImports.get(from) ?? []), check.name]);
  }
  const lines = [
    HEADER,
    'import { describe, expectTypeOf, it } from "vitest";',
    'import type { z } from "zod";',
    ...modules.map((m) =>
      builderOf(m) ? `import type { ${builderOf(m)} } from "../src/${m}.js";` : `import type * as ${alias(m)} from "../src/${m}.js";`,
    ),
    ...[...typeImports]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([from, names]) => `import type { ${[...new Set(names)].sort().join(", ")} } from "${from}";`),
    ...modules.filter(builderOf).map((m) => `declare const ${alias(m)}: ReturnType<typeof ${builderOf(m)}>;`),
    "",
    'describe("the generated event types", () => {',
    '  it("are exactly what their schemas parse to", () => {',
  ];
  for (const check of checks) {
    lines.push(`    expectTypeOf<${check.name}>().toEqualTypeOf<z.${check.mode}<typeof ${alias(check.module)}.${check.expression}>>();`);
  }
  lines.push("  });", "});");
  return `${lines.join("\n")}\n`;
}

// ---- run ------------------------------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const packageDir = fileURLToPath(new URL("..", import.meta.url));
  for (const [path, text] of Object.entries(generate())) {
    const file = `${packageDir}${path}`;
    let current: string | undefined;
    try {
      current = readFileSync(file, "utf8");
    } catch {}
    if (current !== text) {
      writeFileSync(file, text);
      console.log(`wrote ${path}`);
    }
  }
}
