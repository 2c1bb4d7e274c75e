import { existsSync, readFileSync, readdirSync } from "node:fs";
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
    // Every subpath of the exports map whose source is `src/<subpath>/index.ts`.
    const { exports = {} } = JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")) as {
      exports?: Record<string, unknown>;
    };
    for (const subpath of Object.keys(exports)) {
      const sub = subpath.slice(2);
      if (sub && existsSync(join(src, sub, "index.ts"))) {
        aliases.push({ find: new RegExp(`^${name}/${sub}$`), replacement: join(src, sub, "index.ts") });
      }
    }
    aliases.push({ find: new RegExp(`^${name}$`), replacement: join(src, "index.ts") });
  }
  return aliases;
}
