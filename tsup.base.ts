import type { Options } from "tsup";

/**
 * What every publishable package's build shares: ESM and CJS side by side, each with its own
 * declarations (`.d.ts` / `.d.cts`), ES2022. Packages add their entries, platform and externals
 * (tsup already leaves dependencies and peerDependencies external).
 *
 * No source maps: the output is not minified, so a stack trace already points at readable code with
 * the source's names, and the maps would more than double what every install downloads.
 */
export function packageBuild(options: Options): Options {
  return { format: ["esm", "cjs"], dts: true, clean: true, sourcemap: false, target: "es2022", platform: "neutral", ...options };
}
