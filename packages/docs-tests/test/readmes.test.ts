import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { type BlockResult, checkBlocks } from "../src/check-blocks.ts";
import { allBlocks, blocksOf } from "../src/readme-blocks.ts";

const blocks = allBlocks();
let results: BlockResult[];
beforeAll(() => {
  results = checkBlocks(blocks);
});

describe("every TypeScript and JavaScript block of every README", () => {
  it("is found, in the root README, the packages' and the examples'", () => {
    const readmes = new Set(blocks.map((block) => block.readme));
    for (const readme of [
      "README.md",
      "packages/webhook-core/README.md",
      "packages/adapter-hono/README.md",
      "examples/express-server/README.md",
    ]) {
      expect(readmes).toContain(readme);
    }
  });

  it.each(blocks.filter((block) => !block.fragment).map((block) => [`${block.readme}:${block.line}`, block] as const))(
    "%s type-checks under --strict",
    (_where, block) => {
      const result = results.find((r) => r.block === block);
      expect(result?.errors).toEqual([]);
    },
  );

  it("skips only the blocks marked as fragments, each a piece of a larger statement", () => {
    const fragments = blocks.filter((block) => block.fragment).map((block) => `${block.readme}:${block.line}`);
    console.log(
      `README blocks: ${blocks.length - fragments.length} type-checked, ${fragments.length} fragments skipped${fragments.length ? `: ${fragments.join(", ")}` : ""}`,
    );
    // A fragment is not a whole statement: a block that parses as a module on its own must be checked instead.
    for (const block of blocks.filter((b) => b.fragment)) {
      const { diagnostics = [] } = ts.transpileModule(block.code, { reportDiagnostics: true, fileName: "fragment.ts" });
      expect(
        diagnostics.length,
        `${block.readme}:${block.line} parses on its own: check it instead of marking it a fragment`,
      ).toBeGreaterThan(0);
    }
  });
});

describe("the block extractor", () => {
  it("reads indented and tilde fences, the fragment marker and an assumes comment right above", () => {
    const text = [
      "<!-- assumes: declare const storage: unknown; -->",
      "```ts",
      "use(storage);",
      "```",
      "- a list item:",
      "  ```ts fragment",
      "  native: { apiKey },",
      "  ```",
      "<!-- assumes: declare const x: 1; -->",
      "Some text in between.",
      "~~~js",
      "run();",
      "~~~",
      "```sh",
      "npm test",
      "```",
    ].join("\n");
    expect(blocksOf("X.md", text)).toEqual([
      { readme: "X.md", line: 2, language: "ts", code: "use(storage);", assumes: "declare const storage: unknown;", fragment: false },
      { readme: "X.md", line: 6, language: "ts", code: "native: { apiKey },", assumes: "", fragment: true },
      { readme: "X.md", line: 11, language: "js", code: "run();", assumes: "", fragment: false },
    ]);
  });

  it("reports an error in a block at its line in the README", () => {
    const [result] = checkBlocks(
      blocksOf(
        "README.md",
        "# x\n\n<!-- assumes: declare const n: number; -->\n```ts\nconst ok: number = n;\nconst bad: string = n;\n```\n",
      ),
    );
    expect(result?.errors).toEqual([
      expect.stringMatching(/^README\.md:line 6: TS2322: Type 'number' is not assignable to type 'string'\./),
    ]);
  });
});
