#!/usr/bin/env node
// What the types cost an app: `tsc --strict --noEmit` on the README quick start, beside a file that
// only imports zod and parses one small object, in a fresh project outside the workspace into which
// the packed packages are installed with npm, as a user would. Also the declarations each package
// ships, per format, and what its tarball holds.
//
//   node bench/types.mjs              builds, packs, installs, measures; then rewrites RESULTS.md
//   node bench/types.mjs --no-build   uses the current dist/
//   BENCH_QUICK=1 node bench/types.mjs
//
// Both files are checked by the same tsc, with the same flags, in the same project (so with the same
// @types/node): the difference between them is what callhooks adds. A third file with no import at
// all is the floor both stand on (the standard library and @types/node).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { benchDir, quick, writeResult } from "./lib/process.mjs";
import { pairedRatio, rotate, summarize } from "./lib/stats.mjs";

const root = join(benchDir, "..");
const ROUNDS = quick ? 2 : 5;
const FLAGS = ["--strict", "--noEmit", "--extendedDiagnostics", "--module", "nodenext", "--target", "es2022", "--types", "node"];

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const installedVersion = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;

/** The first ```ts block under "## Quick start" in the root README, and the file its first line names. */
function quickStart() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const source = /```ts[^\n]*\n([\s\S]*?)```/.exec(section)?.[1];
  const file = source && /^\/\/ (\S+\.m?ts)\b/.exec(source)?.[1];
  if (!source || !file) throw new Error("README.md needs a ```ts block under ## Quick start whose first line names its file");
  return { source, file };
}

const SUBJECTS = {
  floor: { label: "no import (the standard library and @types/node)", file: "floor.mts", source: 'console.log("hello");\nexport {};\n' },
  zod: {
    label: "(a) zod only: one small object parsed",
    file: "zod-only.mts",
    source:
      'import { z } from "zod";\n\nconst user = z.object({ name: z.string(), age: z.number() });\nconsole.log(user.parse({ name: "Ada", age: 36 }));\n',
  },
  quickstart: { label: "(b) the README quick start", ...quickStart() },
};

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Declarations per format and what else the package ships, from its dist/ as packed. */
function packageSizes(dir) {
  const dist = join(root, "packages", dir, "dist");
  const sum = (test) =>
    filesUnder(dist)
      .filter(test)
      .reduce((total, file) => total + statSync(file).size, 0);
  return {
    esmDeclarations: sum((f) => f.endsWith(".d.ts")),
    cjsDeclarations: sum((f) => f.endsWith(".d.cts")),
    sourceMaps: sum((f) => f.endsWith(".map")),
    code: sum((f) => /\.(c|m)?js$/.test(f)),
  };
}

function pack(dir, dest) {
  run("pnpm", ["pack", "--pack-destination", dest], join(root, "packages", dir));
  const name = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"))
    .name.replace("@", "")
    .replace("/", "-");
  const tarball = readdirSync(dest).find((f) => f.startsWith(name) && f.endsWith(".tgz"));
  const listing = run("tar", ["-tzvf", join(dest, tarball)]);
  const entries = listing
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map((cols) => ({ size: Number(cols[2]), path: cols.at(-1) }));
  return {
    tarball: join(dest, tarball),
    packedBytes: statSync(join(dest, tarball)).size,
    unpackedBytes: entries.reduce((total, e) => total + e.size, 0),
    mapFiles: entries.filter((e) => e.path.endsWith(".map")).length,
  };
}

const diagnostics = (text) => {
  const field = (name) => new RegExp(`^${name}:\\s+([\\d.]+)`, "m").exec(text)?.[1];
  return {
    memoryUsedKiB: Number(field("Memory used")),
    totalSeconds: Number(field("Total time")),
    checkSeconds: Number(field("Check time")),
    files: Number(field("Files")),
    types: Number(field("Types")),
    instantiations: Number(field("Instantiations")),
    linesOfDefinitions: Number(field("Lines of Definitions")),
  };
};

/** One `tsc` process; peak RSS from the child itself (process.resourceUsage at exit). */
function check(project, file) {
  const result = spawnSync(process.execPath, ["measure-tsc.cjs", ...FLAGS, file], { cwd: project, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tsc failed on ${file} (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  const measured = JSON.parse(/^MEASURED (.*)$/m.exec(result.stderr)[1]);
  return { ...diagnostics(result.stdout), ...measured };
}

// ---- build, pack, install -----------------------------------------------------------------------

if (!process.argv.includes("--no-build")) {
  console.log("building…");
  run("pnpm", ["run", "build"], root);
}
const work = mkdtempSync(join(tmpdir(), "callhooks-types-"));
const project = join(work, "app");
mkdirSync(project);
try {
  const packed = {};
  const sizes = {};
  for (const dir of ["webhook-core", "storage-memory", "adapter-express", "adapter-hono", "adapter-fastify", "storage-supabase", "cli"]) {
    packed[dir] = pack(dir, work);
    sizes[dir] = { ...packageSizes(dir), ...packed[dir], tarball: undefined };
  }
  console.log(`installing into ${project}…`);
  run("npm", ["init", "-y"], project);
  const versions = {
    typescript: installedVersion("typescript"),
    zod: installedVersion("zod"),
    "@types/node": installedVersion("@types/node"),
  };
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      packed["webhook-core"].tarball,
      packed["storage-memory"].tarball,
      ...Object.entries(versions).map(([name, version]) => `${name}@${version}`),
    ],
    project,
  );
  writeFileSync(
    join(project, "measure-tsc.cjs"),
    [
      "const started = process.hrtime.bigint();",
      "process.on('exit', () => process.stderr.write('MEASURED ' + JSON.stringify({ wallSeconds: Number(process.hrtime.bigint() - started) / 1e9, maxRssKiB: process.resourceUsage().maxRSS }) + '\\n'));",
      "require('typescript/lib/tsc.js');",
      "",
    ].join("\n"),
  );
  for (const subject of Object.values(SUBJECTS)) writeFileSync(join(project, subject.file), subject.source);

  // ---- measure ----------------------------------------------------------------------------------

  const runs = Object.fromEntries(Object.keys(SUBJECTS).map((id) => [id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of rotate(Object.keys(SUBJECTS), round)) {
      const result = check(project, SUBJECTS[id].file);
      runs[id].push(result);
      console.log(
        `round ${round + 1}/${ROUNDS} ${id}: ${Math.round(result.memoryUsedKiB / 1024)} MiB used, ${result.totalSeconds} s (wall ${result.wallSeconds.toFixed(2)} s)`,
      );
    }
  }
  const metric = (id, key) => runs[id].map((r) => r[key]);
  const subjects = Object.fromEntries(
    Object.entries(SUBJECTS).map(([id, s]) => [
      id,
      {
        label: s.label,
        file: s.file,
        memoryUsedMiB: summarize(metric(id, "memoryUsedKiB").map((k) => k / 1024)),
        peakRssMiB: summarize(metric(id, "maxRssKiB").map((k) => k / 1024)),
        totalSeconds: summarize(metric(id, "totalSeconds")),
        wallSeconds: summarize(metric(id, "wallSeconds")),
        files: runs[id][0].files,
        types: runs[id][0].types,
        instantiations: runs[id][0].instantiations,
        linesOfDefinitions: runs[id][0].linesOfDefinitions,
      },
    ]),
  );
  const ratios = {};
  for (const key of ["memoryUsedKiB", "maxRssKiB", "totalSeconds", "wallSeconds"]) {
    ratios[key] = pairedRatio(metric("quickstart", key), metric("zod", key));
  }
  const file = writeResult("types", {
    rounds: ROUNDS,
    tsc: `typescript ${versions.typescript}: tsc ${FLAGS.filter((f) => f !== "--extendedDiagnostics").join(" ")} <file>`,
    versions,
    project: `a fresh \`npm init -y\` project in ${relative(root, work).startsWith("..") ? "the system temp directory" : work}, with the packed @callhooks/webhook-core and @callhooks/storage-memory, zod, typescript and @types/node installed by npm`,
    quickStart: SUBJECTS.quickstart.source,
    subjects,
    ratios,
    packages: sizes,
  });
  console.log(`wrote ${file}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (!process.argv.includes("--no-report")) spawnSync(process.execPath, [join(benchDir, "report.mjs")], { stdio: "inherit" });
