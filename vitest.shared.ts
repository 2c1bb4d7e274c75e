import { readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Alias } from "vite";

const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));

/**
 * Resolve `@callhooks/*` imports to the packages' TypeScript sources, so that in-repo tests exercise
 * the code as written without a build step. Published consumers get `dist/` through each package's
 * `exports` map; the tests that must see the built output (runtime matrix, examples) import from
 * `dist/` explicitly.
 */
export function workspaceAliases(): Alias[] {
  const aliases: Alias[] = [];
  for (const dir of readdirSync(packagesDir)) {
    const src = join(packagesDir, dir, "src");
    if (!existsSync(join(src, "index.ts"))) continue;
    const name = `@callhooks/${dir}`;
    for (const sub of readdirSync(src, { withFileTypes: true })) {
      if (sub.isDirectory() && existsSync(join(src, sub.name, "index.ts")) && ["testing", "samples"].includes(sub.name)) {
        aliases.push({ find: new RegExp(`^${name}/${sub.name}$`), replacement: join(src, sub.name, "index.ts") });
      }
    }
    aliases.push({ find: new RegExp(`^${name}$`), replacement: join(src, "index.ts") });
  }
  return aliases;
}
