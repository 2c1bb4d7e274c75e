import { z } from "zod";

/*
 * Strict ISO 8601 / RFC 3339 instants and dates. `Date.parse` is not used to validate: it accepts
 * "03/14/2026 15:06" and "2026-03-14 15:09:26" (local time, by guess), and rolls 2026-02-30 over
 * to 2 March, so a malformed timestamp would become a wrong fact instead of an error.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An instant, as epoch milliseconds and microseconds (fractions beyond µs are dropped). */
export interface Instant {
  epochMs: number;
  epochMicros: number;
}

/** Epoch ms of a UTC wall-clock time, or undefined when it does not exist (no rolling over). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | undefined {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exists ? date.getTime() : undefined;
}

export type TimestampProblem = "format" | "fraction" | "calendar";

/**
 * Parses an RFC 3339 timestamp with a `T`, a zone (`Z` or `±HH:MM`) and at most `maxFractionDigits`
 * fractional digits. Returns the problem instead of throwing, so schemas can word their errors.
 */
export function parseTimestamp(text: string, maxFractionDigits = 9): Instant | TimestampProblem {
  const match = INSTANT.exec(text);
  if (!match) return "format";
  const [, y, mo, d, h, mi, s, fraction = "", sign, oh, om] = match;
  if (fraction.length > maxFractionDigits) return "fraction";
  const wall = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  if (wall === undefined) return "calendar";
  let offsetMinutes = 0;
  if (sign) {
    const hours = Number(oh);
    const minutes = Number(om);
    if (hours > 23 || minutes > 59) return "calendar";
    offsetMinutes = (sign === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const micros = Number(fraction.padEnd(6, "0").slice(0, 6));
  const epochMs = wall - offsetMinutes * 60_000 + Math.floor(micros / 1000);
  return { epochMs, epochMicros: (wall - offsetMinutes * 60_000) * 1000 + micros };
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && utc(Number(match[1]), Number(match[2]), Number(match[3])) !== undefined;
}

/** The instant of a timestamp a schema has already accepted. */
export function instantOf(text: string): Instant {
  const parsed = parseTimestamp(text);
  if (typeof parsed === "string") throw new TypeError("instantOf: not a validated RFC 3339 timestamp");
  return parsed;
}

const problems: Record<TimestampProblem, (max: number) => string> = {
  format: () => "Expected an RFC 3339 timestamp: YYYY-MM-DDThh:mm:ss[.fraction] then Z or a ±hh:mm offset",
  fraction: (max) => `Expected at most ${max} fractional second digits`,
  calendar: () => "Expected a real date and time (no February 30, no hour 24, no offset beyond ±23:59)",
};

/** A strict RFC 3339 timestamp string (kept as sent; convert with `instantOf`). */
export function timestampSchema(maxFractionDigits: number) {
  return z.string().superRefine((text, ctx) => {
    const parsed = parseTimestamp(text, maxFractionDigits);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: problems[parsed](maxFractionDigits) });
  });
}

/** A strict `YYYY-MM-DD` calendar date. */
export const calendarDateSchema = z.string().refine(isCalendarDate, "Expected a real calendar date written YYYY-MM-DD (no February 30)");
