import { isPlainObject } from "../schema-helpers.js";

// A `__proto__` key written with any of its letters escaped (`\u005f`, `\u0070`, `\u0072`, `\u006f`, `\u0074`).
const ESCAPED_PROTO_LETTER = /\\u00(?:5f|6f|7[024])/i;

/**
 * Whether `text`, the body `json` was parsed from, parses back to exactly `payload`, the value
 * validation returned for it (what `EventInput.payloadTextExact` promises a storage).
 *
 * The schemas are loose and transform nothing (validation only types and routes), so the value zod
 * returns is a copy of its input with two known exceptions, both checked here without walking the
 * tree: a definition may add or remove top-level keys (Retell's legacy `data` body gets `call`;
 * MightyCall's native body loses its `ApiKey`), and zod does not copy own `__proto__` keys, which
 * `JSON.parse` creates. A body that may hold such a key anywhere, even escaped, is not exact.
 * packages/webhook-core/test/exact-text.test.ts checks the promise on real and fuzzed bodies.
 */
export function isExactText(text: string, json: Record<string, unknown>, payload: unknown): boolean {
  if (!isPlainObject(payload)) return false;
  if (payload !== json) {
    const keys = Object.keys(json);
    if (Object.keys(payload).length !== keys.length) return false;
    for (const key of keys) if (!Object.hasOwn(payload, key)) return false;
  }
  // "proto" first: a search for "__proto__" stops at every "_" of a body full of snake_case keys
  // (~20 µs on 48 KB), one for "proto" at its rare "p"s (~1.5 µs).
  if (text.includes("proto") && text.includes("__proto__")) return false;
  return !(text.includes("\\u") && ESCAPED_PROTO_LETTER.test(text));
}
