import type { Options } from "tsup";

/**
 * What every publishable package's build shares: ESM and CJS side by side, each with its own
 * declarations (`.d.ts` / `.d.cts`), source maps, ES2022. Packages add their entries, platform and
 * externals (tsup already leaves dependencies and peerDependencies external).
 */
export function packageBuild(options: Options): Options {
  return { format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "es2022", platform: "neutral", ...options };
}
