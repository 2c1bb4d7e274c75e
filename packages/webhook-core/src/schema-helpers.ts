import { z } from "zod";
import { WebhookValidationError, type ValidationIssue } from "./errors.js";
import { shorten } from "./text.js";

/**
 * An optional field that also accepts `null`: providers send `null` for "not set" as often as they
 * omit the key, and rejecting either would lose a real event.
 */
export const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

/**
 * A string enum that also accepts values the provider adds later. Known values stay in the type (and
 * in editors' completions) through `(string & {})`; unknown ones parse instead of failing.
 */
export function openEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.union([z.enum(values), z.string()]) as unknown as z.ZodType<T[number] | (string & {})> & {
    readonly knownValues: T;
  };
}

/** A value built on first use and then kept: how schemas that an app may never need stay out of its cold start. */
export function once<T extends object>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** `{ [key]: string }`, as Retell types dynamic variables and SIP headers. */
export const stringRecord = () => z.record(z.string(), z.string());

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Bounds on what an issue may echo of the input: key names are the sender's and may be huge. */
const MAX_SEGMENT = 64;
const MAX_PATH = 200;
const MAX_MESSAGE = 200;

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else {
      const name = shorten(String(key), MAX_SEGMENT);
      out += out ? `.${name}` : name;
    }
    if (out.length > MAX_PATH) break;
  }
  return shorten(out, MAX_PATH) || "(root)";
}

/** Turns zod issues into short, payload-free issues (each bounded in length) and a one-line message. */
export function toValidationError(label: string, error: z.ZodError): WebhookValidationError {
  const issues: ValidationIssue[] = error.issues.slice(0, 10).map((issue) => ({
    path: formatPath(issue.path),
    message: shorten(issue.message, MAX_MESSAGE),
  }));
  const first = issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  const message = first ? `Invalid ${label} payload: ${first.path}: ${first.message}${more}` : `Invalid ${label} payload`;
  return new WebhookValidationError("invalid_payload", message, issues);
}
