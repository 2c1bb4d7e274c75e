import { type Html, html } from "../html.js";

/**
 * Names whose values are credentials, wherever they appear in a payload. The providers' definitions
 * already remove them before storage (MightyCall's ApiKey); this is the console's own second line.
 */
const SECRET_KEY =
  /^(api[-_]?key|secret|password|passwd|authorization|x-retell-signature|client[-_]?secret|access[-_]?token|refresh[-_]?token)$/i;
export const REDACTED = "[redacted]";

/** A bound on what one page renders: a huge payload stays readable, and the page stays small. */
const MAX_NODES = 5_000;

/** A JSON value as a collapsible tree (nested `<details>`), every string escaped. */
export function jsonTree(value: unknown, options: { openDepth?: number } = {}): Html {
  const openDepth = options.openDepth ?? 2;
  let budget = MAX_NODES;

  function node(v: unknown, depth: number): Html {
    budget--;
    if (budget < 0) return html`<span class="muted">…</span>`;
    if (v === null || v === undefined) return html`<span class="j-null">null</span>`;
    if (typeof v === "string") return html`<span class="j-str">${JSON.stringify(v)}</span>`;
    if (typeof v === "number" || typeof v === "bigint") return html`<span class="j-num">${String(v)}</span>`;
    if (typeof v === "boolean") return html`<span class="j-bool">${String(v)}</span>`;
    const isArray = Array.isArray(v);
    const entries: Array<[string, unknown]> = isArray ? (v as unknown[]).map((item, i) => [String(i), item]) : Object.entries(v as object);
    const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return html`<span class="j-punct">${open}${close}</span>`;
    const items = entries.map(([key, item]) => {
      const shown = !isArray && SECRET_KEY.test(key) ? html`<span class="j-redacted">${REDACTED}</span>` : node(item, depth + 1);
      return html`<li>${isArray ? "" : html`<span class="j-key">${JSON.stringify(key)}</span>: `}${shown}</li>`;
    });
    const summary = `${open} ${entries.length} ${isArray ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"} ${close}`;
    return html`<details class="j" ${depth < openDepth ? html`open` : ""}><summary>${summary}</summary><ul>${items}</ul></details>`;
  }

  // A quarantined body too deep to parse is kept as its text.
  if (typeof value === "string") return html`<pre class="raw">${value}</pre>`;
  const tree = node(value, 0);
  return budget < 0 ? html`${tree}<p class="muted">Truncated: the payload has more than ${MAX_NODES} values.</p>` : tree;
}
