import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/io.ts";
import { loadSupabase } from "../src/storage.ts";

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/@callhooks/cli/dist/bin.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });

describe("the Supabase packages, optional peers of the CLI", () => {
  it("are not installed with it: send and verify never load them", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    for (const name of ["@callhooks/storage-supabase", "@supabase/supabase-js"]) {
      expect(pkg.dependencies).not.toHaveProperty(name);
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
  });

  it("when missing, say what to install instead of a module-resolution error", async () => {
    for (const name of ["@supabase/supabase-js", "@callhooks/storage-supabase"]) {
      const failure = loadSupabase(() => Promise.reject(notFound(name)));
      await expect(failure).rejects.toBeInstanceOf(UsageError);
      await expect(failure).rejects.toThrow("npm install @callhooks/storage-supabase @supabase/supabase-js (or give --storage <module>)");
    }
  });

  it("let any other failure through as it is", async () => {
    const broken = new Error("SyntaxError in a dependency");
    await expect(loadSupabase(() => Promise.reject(broken))).rejects.toBe(broken);
    await expect(loadSupabase(() => Promise.reject(notFound("left-pad")))).rejects.toThrow("left-pad");
  });

  it("load when installed", async () => {
    const { createClient, createSupabaseStorage } = await loadSupabase();
    expect(typeof createClient).toBe("function");
    expect(typeof createSupabaseStorage).toBe("function");
  });
});
