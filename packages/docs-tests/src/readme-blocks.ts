import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const LANGUAGES: Record<string, "ts" | "js"> = {
  ts: "ts",
  typescript: "ts",
  tsx: "ts",
  mts: "ts",
  js: "js",
  javascript: "js",
  jsx: "js",
  mjs: "js",
};

/** One TypeScript or JavaScript code block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the repository. */
  readme: string;
  /** The line of the opening fence. */
  line: number;
  language: "ts" | "js";
  code: string;
  /**
   * What the block assumes and does not show (declarations of the variables it uses), from an
   * `<!-- assumes: … -->` comment right above it: checked with it, invisible on GitHub.
   */
  assumes: string;
  /** Marked ```` ```ts fragment ````: a piece of a larger statement that cannot stand alone, not checked. */
  fragment: boolean;
}

/** Every README in the repository that git knows (the root, packages/*, examples/*, fixtures). */
export function readmes(): string[] {
  return execFileSync("git", ["ls-files", "README.md", "**/README.md"], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter((path) => path.endsWith("README.md"));
}

const FENCE = /^( *)(`{3,}|~{3,})([^\n`]*)$/;
const ASSUMES = /^<!--\s*assumes:([\s\S]*?)-->\s*$/;

/** The TypeScript and JavaScript blocks of one README, fenced with backticks or tildes, indented or not. */
export function blocksOf(readme: string, text = readFileSync(join(repoRoot, readme), "utf8")): ReadmeBlock[] {
  const lines = text.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const end = lines.findIndex((candidate, j) => j > i && candidate.trimEnd() === `${indent}${fence}`);
    const close = end === -1 ? lines.length : end;
    const [tag = "", ...words] = info.trim().split(/\s+/);
    const language = LANGUAGES[tag.toLowerCase()];
    if (language) {
      const before = lines.slice(0, i).join("\n");
      const comment = before.slice(before.lastIndexOf("<!--"));
      blocks.push({
        readme,
        line: i + 1,
        language,
        code: lines
          .slice(i + 1, close)
          .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
          .join("\n"),
        assumes: ASSUMES.exec(comment)?.[1]?.trim() ?? "",
        fragment: words.includes("fragment"),
      });
    }
    i = close;
  }
  return blocks;
}

export function allBlocks(): ReadmeBlock[] {
  return readmes().flatMap((readme) => blocksOf(readme));
}

/** Where a block is checked from: beside its README, so its imports resolve as that package's do. */
export function virtualPath(block: ReadmeBlock): string {
  return join(repoRoot, dirname(block.readme), `README.md.line-${block.line}.${block.language === "ts" ? "mts" : "mjs"}`);
}
