import { sha256Hex } from "../crypto/digest.js";
import type { ValidationIssue } from "../errors.js";
import { shorten } from "../text.js";
import type { EventDescription } from "./types.js";

/**
 * What the core lets reach a storage, whatever the provider. Each bound keeps a genuine event
 * storable on every retry: PostgreSQL refuses an index entry over 2 704 bytes and JavaScript's own
 * serialisers overflow their stack on deep nesting, and either would fail the same delivery forever.
 * An event beyond a limit is quarantined with the reason, never refused or lost.
 */
export const WEBHOOK_LIMITS = {
  /** Nesting depth of a body (objects and arrays). A deeper body is quarantined, kept as its JSON text. */
  maxDepth: 100,
  /**
   * Ids the storage indexes: the call id, organisation, record ids, and the numbers records are
   * searched by (`from`, `to`, `businessNumber`, a recording's `callId`), in UTF-16 units.
   */
  maxIdLength: 256,
  /** An event type. */
  maxTypeLength: 128,
  /** A duplicate key; a longer one (a long transfer destination) is kept as a prefix and its SHA-256. */
  maxKeyLength: 512,
} as const;

/** Record fields that storages index, bounded like ids. */
const INDEXED_FIELDS = ["from", "to", "businessNumber", "callId"] as const;

const tooLong = (path: string, max: number): ValidationIssue => ({ path, message: `Longer than ${max} characters (the storage limit)` });
const isLong = (value: unknown, max: number): boolean => typeof value === "string" && value.length > max;

/** The limits a described event exceeds, as issues (empty when it fits). */
export function limitIssues(description: EventDescription): ValidationIssue[] {
  const { maxIdLength: id, maxTypeLength: type } = WEBHOOK_LIMITS;
  const issues: ValidationIssue[] = [];
  if (isLong(description.type, type)) issues.push(tooLong("(event type)", type));
  if (isLong(description.callId, id)) issues.push(tooLong("(call id)", id));
  if (isLong(description.orgId, id)) issues.push(tooLong("(organisation)", id));
  description.records.forEach((record, index) => {
    const at = `(records[${index}] ${record.kind})`;
    if (isLong(record.id, id)) issues.push(tooLong(`${at}.id`, id));
    if (isLong(record.orgId, id)) issues.push(tooLong(`${at}.orgId`, id));
    for (const field of INDEXED_FIELDS) if (isLong(record.fields[field], id)) issues.push(tooLong(`${at}.fields.${field}`, id));
  });
  return issues.slice(0, 10);
}

/** Whether a parsed JSON value nests deeper than `max` levels. Iterative: any depth is safe to ask about. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (typeof child === "object" && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (typeof child === "object" && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** A key within `maxKeyLength`: as it is, or a readable prefix and the SHA-256 of the whole key. */
export async function boundedKey(key: string): Promise<string> {
  if (key.length <= WEBHOOK_LIMITS.maxKeyLength) return key;
  return `${shorten(key, 96)}#sha256:${await sha256Hex(key)}`;
}

/** A type within `maxTypeLength`, for storing an over-long one (its event is quarantined). */
export const boundedType = (type: string): string => shorten(type, WEBHOOK_LIMITS.maxTypeLength);

/** An id within `maxIdLength`, or null: an over-long id names nothing the storage can keep. */
export const boundedId = (id: string | null | undefined): string | null =>
  typeof id === "string" && id !== "" && id.length <= WEBHOOK_LIMITS.maxIdLength ? id : null;

/**
 * JSON text of a value at any depth (JSON.stringify recurses and overflows its stack on deeply
 * nested values). Only for the rare body that is too deep to store as a tree.
 */
export function deepJsonText(value: unknown): string {
  const out: string[] = [];
  // Each frame is what is left to write: a value, or a literal piece of punctuation.
  const work: Array<{ value: unknown } | string> = [{ value }];
  while (work.length > 0) {
    const item = work.pop() as { value: unknown } | string;
    if (typeof item === "string") {
      out.push(item);
      continue;
    }
    const node = item.value;
    if (typeof node !== "object" || node === null) {
      out.push(JSON.stringify(node) ?? "null");
      continue;
    }
    const pending: Array<{ value: unknown } | string> = [];
    if (Array.isArray(node)) {
      pending.push("[");
      node.forEach((child, index) => {
        if (index > 0) pending.push(",");
        pending.push({ value: child === undefined ? null : child });
      });
      pending.push("]");
    } else {
      pending.push("{");
      let first = true;
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        if (child === undefined || typeof child === "function") continue;
        pending.push(`${first ? "" : ","}${JSON.stringify(key)}:`);
        pending.push({ value: child });
        first = false;
      }
      pending.push("}");
    }
    for (let i = pending.length - 1; i >= 0; i--) work.push(pending[i] as { value: unknown } | string);
  }
  return out.join("");
}
