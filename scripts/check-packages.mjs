// Checks every publishable package as npm would ship it: packs it with pnpm (which rewrites
// `workspace:` ranges), then runs publint and @arethetypeswrong/cli on the tarball. Any error fails.
// attw uses the node16 profile: node10 resolution ignores `exports`, and the packages need Node 22+.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(root, ".pack");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const bin = (name) => join(root, "node_modules", ".bin", name);

let failures = 0;
for (const dir of readdirSync(join(root, "packages"))) {
  const pkgDir = join(root, "packages", dir);
  if (!existsSync(join(pkgDir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  if (pkg.private) continue;
  const dest = join(out, dir);
  mkdirSync(dest, { recursive: true });
  try {
    run("pnpm", ["pack", "--pack-destination", dest], pkgDir);
    const tarball = join(
      dest,
      readdirSync(dest).find((f) => f.endsWith(".tgz")),
    );
    process.stdout.write(`\n── ${pkg.name}\n`);
    process.stdout.write(run(bin("publint"), ["run", tarball, "--strict"]));
    process.stdout.write(run(bin("attw"), [tarball, "--profile", "node16", "--format", "table-flipped", "--no-emoji"]));
  } catch (error) {
    failures++;
    process.stdout.write(`✗ ${pkg.name}\n${error.stdout ?? ""}${error.stderr ?? error.message}\n`);
  }
}
if (failures) {
  console.error(`\n${failures} package(s) failed publint or attw.`);
  process.exit(1);
}
console.log("\nAll packages pass publint and attw.");
