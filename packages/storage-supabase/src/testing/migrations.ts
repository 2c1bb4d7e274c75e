import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's migrations folder (src/testing and dist/testing are both two levels below it). */
export const migrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** The package's migrations in the order Supabase applies them (by file name). */
export function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => join(migrationsDir, name));
}

/**
 * A migration's SQL for another schema: every object is qualified as `public.callhooks_…`, so a
 * rename of the qualifier moves all of it (the `public` pseudo-role in REVOKE is left alone).
 */
export function migrationSql(file: string, schema = "public"): string {
  const sql = readFileSync(file, "utf8");
  if (schema === "public") return sql;
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  return `create schema if not exists ${quoted};\ngrant usage on schema ${quoted} to service_role;\n${sql.replace(/\bpublic\.(?=callhooks_)/g, `${quoted}.`)}`;
}
