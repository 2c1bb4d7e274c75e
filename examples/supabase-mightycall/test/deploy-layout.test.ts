import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectDir } from "./suite.js";

/*
 * What `supabase functions deploy` deploys: every folder of supabase/functions except those starting
 * with `_`, each bundled from its own index.ts with its own deno.json; config.toml says which take no
 * Supabase JWT. MightyCall must find all five URLs, and none may demand a JWT it never sends.
 */
const functionsDir = join(projectDir, "supabase", "functions");
const deployed = readdirSync(functionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith("_"))
  .map((entry) => entry.name)
  .sort();
const config = readFileSync(join(projectDir, "supabase", "config.toml"), "utf8");

describe("the functions Supabase deploys", () => {
  it("are the one-URL function and the four URLs of the hand-written functions", () => {
    expect(deployed).toEqual([
      "mightycall-calls-webhook",
      "mightycall-recordings-webhook",
      "mightycall-reports-webhook",
      "mightycall-sms-webhook",
      "mightycall-webhook",
    ]);
  });

  it.each(deployed)("%s: an index.ts on the shared handler, the shared import map, and verify_jwt = false", (name) => {
    expect(readFileSync(join(functionsDir, name, "index.ts"), "utf8")).toContain('from "../_shared/serve.ts"');
    expect(readFileSync(join(functionsDir, name, "deno.json"), "utf8")).toBe(
      readFileSync(join(functionsDir, "mightycall-webhook", "deno.json"), "utf8"),
    );
    expect(config).toMatch(new RegExp(`\\[functions\\.${name}\\]\\nverify_jwt = false\\n`));
  });

  it("configures no function that does not exist", () => {
    const configured = [...config.matchAll(/^\[functions\.([^\]]+)\]/gm)].map((match) => match[1]).sort();
    expect(configured).toEqual(deployed);
    expect(existsSync(join(functionsDir, "_shared", "serve.ts"))).toBe(true);
  });
});
