/**
 * PostgreSQL cannot store U+0000 or an unpaired UTF-16 surrogate in text or jsonb: it rejects the
 * whole statement. A payload carrying one would then fail on every retry and be lost for good, so
 * such characters are replaced with U+FFFD instead. Returns the same object when nothing needs it
 * (the common case costs one walk and no copy).
 */
export function storable<T>(value: T): T {
  return clean(value) as T;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanString(text: string): string {
  // Most strings have neither NUL nor surrogates: one cheap test, no allocation.
  return SUSPECT.test(text) ? text.replace(UNSTORABLE, "\uFFFD") : text;
}

function clean(value: unknown): unknown {
  if (typeof value === "string") return cleanString(value);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const cleaned = clean(item);
      if (cleaned !== item) {
        copy ??= value.slice();
        copy[i] = cleaned;
      }
    }
    return copy ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const cleanKey = cleanString(key);
    const cleaned = clean(item);
    if (cleaned !== item || cleanKey !== key) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (cleanKey !== key) delete copy[key];
      copy[cleanKey] = cleaned;
    }
  }
  return copy ?? value;
}

// In JSON text, NUL and a surrogate can only appear escaped (\u0000, \ud83d…) or as a raw UTF-16 unit.
// Any surrogate counts, paired or not: a miss here only means the tree is walked after all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found.
const SUSPECT_TEXT = /\\u0000|\\u[dD][89a-fA-F]|[\u0000\uD800-\uDFFF]/;

/**
 * Whether a payload's JSON text (the body it was parsed from) shows that its tree holds nothing
 * `storable` would change: one scan of a string instead of a walk over thousands of nodes.
 */
export const storableAsIs = (text: string | undefined): boolean => text !== undefined && !SUSPECT_TEXT.test(text);
