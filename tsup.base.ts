import type { Options } from "tsup";

/**
 * What every publishable package's build shares: ESM and CJS side by side, each with its own
 * declarations (`.d.ts` / `.d.cts`), ES2022. Packages add their entries, platform and externals
 * (tsup already leaves dependencies and peerDependencies external).
 *
 * No source maps: the output is not minified, so a stack trace already points at readable code with
 * the source's names, and the maps would more than double what every install downloads.
 *
 * Shared chunks in CommonJS too (`splitting`, which tsup enables only for ESM by default): without
 * them every subpath's `.cjs` carries its own copy of the code it uses, so an app requiring two
 * subpaths loads two copies, each with its own module state.
 */
export function packageBuild(options: Options): Options {
  return {
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: false,
    splitting: true,
    target: "es2022",
    platform: "neutral",
    ...options,
  };
}
