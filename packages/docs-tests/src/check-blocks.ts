import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { type ReadmeBlock, repoRoot, virtualPath } from "./readme-blocks.ts";

/**
 * Modules the READMEs name that the workspace does not install (Next.js, Vercel, Deno's globals):
 * declared with just what the blocks use, so the blocks' own code is still checked.
 */
const stubs = fileURLToPath(new URL("./stubs.d.ts", import.meta.url));

/**
 * The options a new app would start from — `--strict`, modules, the DOM and Node's types — plus the
 * workspace's `paths`, so every `@callhooks/*` import is checked against the sources of this commit.
 */
function compilerOptions(): ts.CompilerOptions {
  const base = ts.readConfigFile(join(repoRoot, "tsconfig.base.json"), ts.sys.readFile).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: ["node"],
    typeRoots: [join(repoRoot, "node_modules", "@types")],
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    paths: Object.fromEntries(
      Object.entries(base.compilerOptions.paths).map(([name, targets]) => [name, targets.map((target) => join(repoRoot, target))]),
    ),
  };
}

/** A block as it is checked: what it assumes, then the block itself. */
export function sourceOf(block: ReadmeBlock): string {
  return block.assumes ? `${block.assumes}\n${block.code}` : block.code;
}

export interface BlockResult {
  block: ReadmeBlock;
  /** Each error as `README.md:<line>: <message>`, the line counted in the README. */
  errors: string[];
}

/** Type-checks every block that is not a fragment, in one program; each block is its own module. */
export function checkBlocks(blocks: readonly ReadmeBlock[]): BlockResult[] {
  const checked = blocks.filter((block) => !block.fragment);
  const files = new Map(checked.map((block) => [virtualPath(block), block]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => {
    const block = files.get(path);
    return block ? sourceOf(block) : readFile.call(host, path);
  };
  host.getSourceFile = (path, language, onError, create) => {
    const block = files.get(path);
    if (block) return ts.createSourceFile(path, sourceOf(block), language, true);
    return getSourceFile.call(host, path, language, onError, create);
  };
  // A block's imports resolve from its README's package, as that package's own code would; what a
  // README names but its package does not depend on (a storage in an adapter's example) resolves
  // from this package, which depends on it.
  const fallback = join(fileURLToPath(new URL(".", import.meta.url)), "resolve-from-here.ts");
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, compilerOptions, sourceFile) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(sourceFile, literal, compilerOptions);
      const here = ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, undefined, redirected, mode);
      return here.resolvedModule ? here : ts.resolveModuleName(literal.text, fallback, compilerOptions, host, undefined, redirected, mode);
    });
  const program = ts.createProgram({ rootNames: [...files.keys(), stubs], options, host });
  const results = new Map<ReadmeBlock, string[]>(checked.map((block) => [block, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = diagnostic.file && files.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!block) throw new Error(`Outside any README block: ${diagnostic.file?.fileName ?? "(global)"}: ${message}`);
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const assumed = block.assumes ? block.assumes.split("\n").length : 0;
    const where = line < assumed ? `the assumes comment above line ${block.line}` : `line ${block.line + 1 + line - assumed}`;
    results.get(block)?.push(`${block.readme}:${where}: TS${diagnostic.code}: ${message}`);
  }
  return [...results].map(([block, errors]) => ({ block, errors }));
}
