import type { PostgrestErrorLike } from "./errors.js";

/**
 * The part of a `SupabaseClient` the storage uses. Structural on purpose: a client typed with your
 * generated `Database`, or built by another copy of supabase-js, fits as long as it has `schema()`.
 */
export interface SupabaseClientLike {
  schema(schema: never): unknown;
}

export interface QueryResult {
  data: unknown;
  error: PostgrestErrorLike | null;
  status: number;
}

/** The PostgREST builder methods the storage calls (supabase-js ≥ 2.45). */
export interface Query extends PromiseLike<QueryResult> {
  select(columns: string): Query;
  eq(column: string, value: unknown): Query;
  in(column: string, values: readonly unknown[]): Query;
  gte(column: string, value: unknown): Query;
  lt(column: string, value: unknown): Query;
  lte(column: string, value: unknown): Query;
  /** A PostgREST logic tree, e.g. `a.lt.1,b.eq.2` (either holds). */
  or(filters: string): Query;
  order(column: string, options: { ascending: boolean }): Query;
  range(from: number, to: number): Query;
  limit(count: number): Query;
  maybeSingle(): Query;
  abortSignal(signal: AbortSignal): Query;
  /** supabase-js ≥ 2.9x: GET retries on 503 (1 + 2 + 4 s) would only delay the 500 the provider must see. */
  retry?(enabled: boolean): Query;
}

export interface Db {
  rpc(fn: string, args: Record<string, unknown>): Query;
  from(relation: string): { select(columns: string): Query };
}
