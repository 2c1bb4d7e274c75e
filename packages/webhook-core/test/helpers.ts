import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** ../shared/fixtures beside the project root (in development and in CI). */
export const fixturesDir = fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const retellFixturesDir = join(fixturesDir, "retell");

/** Retell fixtures as their exact bytes (sign them as they are). Response bodies are excluded. */
export function retellFixtures(): Array<{ name: string; bytes: Uint8Array; text: string }> {
  return readdirSync(retellFixturesDir)
    .filter((name) => name.endsWith(".json") && !name.includes(".response"))
    .sort()
    .map((name) => {
      const bytes = new Uint8Array(readFileSync(join(retellFixturesDir, name)));
      return { name, bytes, text: new TextDecoder().decode(bytes) };
    });
}

export function retellFixture(name: string): { bytes: Uint8Array; text: string; json: Record<string, unknown> } {
  const bytes = new Uint8Array(readFileSync(join(retellFixturesDir, name)));
  const text = new TextDecoder().decode(bytes);
  return { bytes, text, json: JSON.parse(text) };
}

/** A logger that keeps what it was given, so tests can assert nothing secret reached it. */
export function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {}, (_k, v) => (v instanceof Error ? v.message : v))}`);
  };
  return { lines, logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } };
}
