import type { SupabaseStackInfo } from "../src/testing/index.js";
import { findPsql, psql } from "../src/testing/postgres.js";

/** Runs SQL against the stack's database as the superuser, for what the API cannot show. */
export function sql(info: Pick<SupabaseStackInfo, "databaseUrl">, query: string): Promise<string> {
  const bin = findPsql();
  if (!bin) throw new Error("psql not found");
  return psql(bin, info.databaseUrl, { sql: query });
}
