import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiResponse } from "./types.js";

export interface WebhookDocsHtmlOptions {
  /** The page title. Default: the document's `info.title`. */
  title?: string;
  /** Where the JSON document is served, linked from the page (e.g. `/docs/openapi.json`). */
  openApiUrl?: string;
}

/*
 * The document rendered into one self-contained HTML page: no script, no stylesheet or font from
 * elsewhere. A webhook server should not load third-party code, and often has no internet at all;
 * the page is safe under `Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'`.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
const code = (value: unknown) => `<code>${esc(value)}</code>`;
const anchor = (name: string) => `schema-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
const SCHEMA_PREFIX = "#/components/schemas/";
const MAX_DEPTH = 8;

/** Descriptions use `code` spans and blank-line paragraphs, nothing else. */
function prose(text: unknown): string {
  if (typeof text !== "string" || text === "") return "";
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${esc(paragraph).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("");
}

const isObject = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);

function refName(schema: JsonSchema): string | undefined {
  return typeof schema.$ref === "string" && schema.$ref.startsWith(SCHEMA_PREFIX) ? schema.$ref.slice(SCHEMA_PREFIX.length) : undefined;
}

const link = (name: string) => `<a href="#${anchor(name)}">${esc(name)}</a>`;

function alternatives(schema: JsonSchema): JsonSchema[] | undefined {
  const list = schema.oneOf ?? schema.anyOf;
  return Array.isArray(list) ? list.filter(isObject) : undefined;
}

/** `{ anyOf: [{ type: string, enum }, { type: string }] }`: an enum the provider may extend. */
function openEnumValues(members: JsonSchema[]): unknown[] | undefined {
  if (members.length !== 2) return undefined;
  const known = members.find((m) => Array.isArray(m.enum));
  const other = members.find((m) => m !== known);
  return known && other && other.type === "string" && Object.keys(other).length === 1 ? (known.enum as unknown[]) : undefined;
}

/** A one-line type, with links to named schemas. */
function typeOf(schema: JsonSchema): string {
  const name = refName(schema);
  if (name) return link(name);
  if ("const" in schema) return code(JSON.stringify(schema.const));
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => code(JSON.stringify(v))).join(", ")}`;
  const members = alternatives(schema);
  if (members) {
    const present = members.filter((m) => m.type !== "null");
    const nullable = present.length < members.length ? " | null" : "";
    const open = openEnumValues(present);
    if (open) return `string: ${open.map((v) => code(v)).join(", ")}, or any later value${nullable}`;
    return present.map(typeOf).join(" | ") + nullable;
  }
  if (Array.isArray(schema.allOf)) return schema.allOf.filter(isObject).map(typeOf).join(" &amp; ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.length === 0) return Object.keys(schema).every((k) => k === "description") ? "any JSON" : "object";
  return types
    .map((type) => {
      if (type === "array") return `array of ${typeOf(isObject(schema.items) ? schema.items : {})}`;
      if (
        type === "object" &&
        !schema.properties &&
        isObject(schema.additionalProperties) &&
        Object.keys(schema.additionalProperties).length > 0
      ) {
        return `map of ${typeOf(schema.additionalProperties)}`;
      }
      if (type === "string" && typeof schema.format === "string") return `string (${esc(schema.format)})`;
      if (type === "string" && isObject(schema.not)) return "string, not a known value";
      if ((type === "integer" || type === "number") && typeof schema.minimum === "number") {
        const max = typeof schema.maximum === "number" && schema.maximum < Number.MAX_SAFE_INTEGER ? `–${schema.maximum}` : "";
        return max ? `${type} ${schema.minimum}${max}` : `${type} ≥ ${schema.minimum}`;
      }
      return esc(type);
    })
    .join(" | ");
}

/** The inline objects under a property (named schemas are linked instead). */
function inlineObjects(schema: JsonSchema): JsonSchema[] {
  if (refName(schema)) return [];
  if (isObject(schema.properties)) return [schema];
  if (isObject(schema.items)) return inlineObjects(schema.items);
  if (isObject(schema.additionalProperties)) return inlineObjects(schema.additionalProperties);
  return (alternatives(schema) ?? []).flatMap(inlineObjects);
}

function objectTable(schema: JsonSchema, depth: number): string {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows = Object.entries(properties).map(([name, value]) => {
    const property = isObject(value) ? value : {};
    const children =
      depth < MAX_DEPTH
        ? inlineObjects(property)
            .map((child) => `<details><summary>fields of ${code(name)}</summary>${objectTable(child, depth + 1)}</details>`)
            .join("")
        : "";
    return `<tr><td>${code(name)}${required.has(name) ? ' <span class="req">required</span>' : ""}</td><td>${typeOf(property)}</td><td>${prose(property.description)}${children}</td></tr>`;
  });
  const open =
    schema.additionalProperties === undefined ||
    schema.additionalProperties === true ||
    (isObject(schema.additionalProperties) && Object.keys(schema.additionalProperties).length === 0);
  if (open && rows.length > 0) rows.push('<tr><td colspan="3" class="note">Other fields are accepted and kept.</td></tr>');
  return `<table><thead><tr><th>field</th><th>type</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function schemaBody(schema: JsonSchema, components: Record<string, JsonSchema>): string {
  if (isObject(schema.properties)) return objectTable(schema, 0);
  const members = alternatives(schema);
  if (members && !openEnumValues(members)) {
    const discriminator = isObject(schema.discriminator) ? schema.discriminator : undefined;
    const byName = new Map(
      Object.entries(isObject(discriminator?.mapping) ? discriminator.mapping : {}).map(([value, target]) => [target, value]),
    );
    const items = members.map((member, index) => {
      const name = refName(member);
      if (!name) return `<li>variant ${index + 1}: ${isObject(member.properties) ? objectTable(member, 1) : typeOf(member)}</li>`;
      const value = byName.get(member.$ref);
      const label = value === undefined ? "" : `${code(discriminator?.propertyName)} = ${code(value)}: `;
      const description = components[name]?.description;
      return `<li>${label}${link(name)}${typeof description === "string" ? ` — ${esc(description)}` : ""}</li>`;
    });
    return `<p>One of:</p><ul class="variants">${items.join("")}</ul>`;
  }
  return `<p>${typeOf(schema)}</p>`;
}

function response(document: OpenApiDocument, value: OpenApiResponse | { $ref: string }): OpenApiResponse {
  if ("$ref" in value) return document.components.responses[value.$ref.split("/").pop() as string] ?? { description: "" };
  return value;
}

function operation(document: OpenApiDocument, path: string, method: string, op: OpenApiOperation): string {
  const security = (op.security ?? [])
    .flatMap((requirement) => Object.keys(requirement))
    .map((name) => `<li>${code(name)}: ${prose(document.components.securitySchemes[name]?.description)}</li>`)
    .join("");
  const parameters = (op.parameters ?? [])
    .map((p) => `<tr><td>${code(p.name)} (${esc(p.in)})</td><td>${typeOf(p.schema)}</td><td>${prose(p.description)}</td></tr>`)
    .join("");
  const body = op.requestBody?.content["application/json"]?.schema;
  const bodyName = body ? refName(body) : undefined;
  const responses = Object.entries(op.responses)
    .map(([status, value]) => {
      const r = response(document, value);
      const schema = r.content?.["application/json"]?.schema;
      const headers = Object.keys(r.headers ?? {}).map((h) => code(h));
      return `<tr><td>${code(status)}</td><td>${prose(r.description)}${headers.length ? `<p>Headers: ${headers.join(", ")}</p>` : ""}</td><td>${schema ? typeOf(schema) : ""}</td></tr>`;
    })
    .join("");
  return `<section class="op" id="op-${esc(op.operationId)}">
<h2><span class="method">${esc(method.toUpperCase())}</span> ${code(path)}</h2>
<p class="summary">${esc(op.summary)}</p>${prose(op.description)}
${security ? `<h3>Authentication</h3><ul>${security}</ul>` : ""}
${parameters ? `<h3>Parameters</h3><table><tbody>${parameters}</tbody></table>` : ""}
${body ? `<h3>Request body${bodyName ? `: ${link(bodyName)}` : ""}</h3>${prose(op.requestBody?.description)}${schemaBody(bodyName ? (document.components.schemas[bodyName] ?? body) : body, document.components.schemas)}` : ""}
<h3>Responses</h3><table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>${responses}</tbody></table>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
main{max-width:1100px;margin:0 auto;padding:1.5rem}nav{columns:3 16rem;font-size:.9em}nav ul{margin:.2rem 0 1rem}
h1{margin:.2rem 0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}h3{margin-top:1.5rem}
code{font:.9em ui-monospace,monospace;background:#f3f5f7;padding:.05rem .3rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f6f8fa;font-weight:600}td p{margin:0 0 .3rem}.req{color:#b35900;font-size:.8em}.note{color:#57606a;font-style:italic}
.method{background:#1f6feb;color:#fff;border-radius:4px;padding:.05rem .5rem;font-size:.85em}.summary{font-weight:600}
details{margin:.3rem 0}summary{cursor:pointer;color:#0969da}section.schema{margin-top:2rem}a{color:#0969da}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}code,th{background:#161b22}td,th{border-color:#30363d}a,summary{color:#58a6ff}}`;

/**
 * The document as one self-contained HTML page (no scripts, nothing loaded from elsewhere): each
 * endpoint with its authentication, body and answers, then every schema as a table of its fields,
 * nested objects folded, named schemas linked. Serve it with `content-type: text/html`.
 */
export function renderWebhookDocsHtml(document: OpenApiDocument, options: WebhookDocsHtmlOptions = {}): string {
  const title = options.title ?? document.info.title;
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
  const schemas = Object.entries(document.components.schemas);
  const servers = (document.servers ?? []).map((s) => code(s.url)).join(", ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(title)}</h1>${prose(document.info.description)}
${servers ? `<p>Server: ${servers}</p>` : ""}
${options.openApiUrl ? `<p>OpenAPI ${esc(document.openapi)} document: <a href="${esc(options.openApiUrl)}">${esc(options.openApiUrl)}</a></p>` : ""}
<nav><h3>Endpoints</h3><ul>${operations.map(({ path, method, op }) => `<li><a href="#op-${esc(op.operationId)}">${esc(method.toUpperCase())} ${esc(path)}</a></li>`).join("")}</ul>
<h3>Schemas</h3><ul>${schemas.map(([name]) => `<li>${link(name)}</li>`).join("")}</ul></nav>
${operations.map(({ path, method, op }) => operation(document, path, method, op)).join("\n")}
<h2>Schemas</h2>
${schemas.map(([name, schema]) => `<section class="schema" id="${anchor(name)}"><h3>${esc(name)}</h3>${prose(schema.description)}${schemaBody(schema, document.components.schemas)}</section>`).join("\n")}
</main></body></html>
`;
}
