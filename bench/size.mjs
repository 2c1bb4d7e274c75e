#!/usr/bin/env node
// Bundle size: each package's ESM entry bundled with esbuild (minified), then gzipped (level 9).
// zod, the frameworks and the other @callhooks packages are left external, so each row is that
// package's own code. The last rows are what an app pulls in for one function, and the
// dependencies themselves for scale. Deterministic: measured once.
//
//   node bench/size.mjs          (writes bench/results/size.json)
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { build } from "esbuild";
import { benchDir, writeResult } from "./lib/process.mjs";

const root = join(benchDir, "..");
const pkg = (name) => join(root, "packages", name, "dist", "index.js");
const EXTERNAL = ["zod", "@callhooks/*", "express", "fastify", "hono", "hono/*", "@hono/*", "node:*"];

const ENTRIES = [
  { id: "webhook-core", label: "@callhooks/webhook-core (whole entry, zod external)", entry: pkg("webhook-core") },
  { id: "storage-memory", label: "@callhooks/storage-memory", entry: pkg("storage-memory") },
  { id: "adapter-express", label: "@callhooks/adapter-express", entry: pkg("adapter-express") },
  { id: "adapter-fastify", label: "@callhooks/adapter-fastify", entry: pkg("adapter-fastify") },
  { id: "adapter-hono", label: "@callhooks/adapter-hono", entry: pkg("adapter-hono") },
  {
    id: "retell-handler",
    label: "an app's import: createRetellHandler + createMemoryStorage (tree-shaken, zod external)",
    contents:
      'export { createRetellHandler } from "@callhooks/webhook-core"; export { createMemoryStorage } from "@callhooks/storage-memory";',
    bundleCallhooks: true,
  },
  {
    id: "verify-only",
    label: "an app's import: verifyRetellSignature alone (tree-shaken, zod external)",
    contents: 'export { verifyRetellSignature } from "@callhooks/webhook-core";',
    bundleCallhooks: true,
  },
  { id: "zod", label: 'zod itself (import { z } from "zod"), for scale', contents: 'export { z } from "zod";', dependency: true },
  {
    id: "retell-sdk",
    label: "retell-sdk (whole client, its verify included), for scale",
    contents: 'export { default, verify } from "retell-sdk";',
    dependency: true,
  },
];

const rows = [];
for (const e of ENTRIES) {
  const external = e.dependency ? ["node:*"] : e.bundleCallhooks ? EXTERNAL.filter((x) => x !== "@callhooks/*") : EXTERNAL;
  const result = await build({
    ...(e.entry ? { entryPoints: [e.entry] } : { stdin: { contents: e.contents, resolveDir: root, loader: "js" } }),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    external,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  rows.push({ id: e.id, label: e.label, minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength });
}
for (const r of rows)
  console.log(
    `${r.label.padEnd(86)} ${(r.minifiedBytes / 1024).toFixed(1).padStart(7)} KiB min  ${(r.gzipBytes / 1024).toFixed(1).padStart(6)} KiB gz`,
  );
console.log(`wrote ${writeResult("size", { tool: "esbuild (minify, esm, neutral) + gzip -9", rows })}`);
