import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./io.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `parseArgs`, strict, with usage errors that point to the command's `--help`. */
export function parse<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, ".") : String(error);
    throw new UsageError(`${message} (see \`callhooks ${command} --help\`)`);
  }
}

/** A whole number ≥ `min`. */
export function integer(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${value}".`);
  return n;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Epoch ms from an ISO date, epoch milliseconds, or a duration ago (`30m`, `2h`, `7d`). */
export function time(name: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d+)([smhdw])$/.exec(value);
  if (ago) return now - Number(ago[1]) * (UNITS[ago[2] as string] as number);
  if (/^\d{10,}$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed))
    throw new UsageError(`--${name} takes an ISO date (2026-03-01T12:00Z), epoch ms, or a duration ago (30m, 2h, 7d); not "${value}".`);
  return parsed;
}

/** `a,b` and repeated flags alike. */
export function list(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}
