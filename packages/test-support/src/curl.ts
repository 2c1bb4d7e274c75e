import { execFile } from "node:child_process";
import { promisify } from "node:util";

/** Splits a command as a POSIX shell would for these documents: words, '…' and "…" quotes, `\` line continuations. */
function words(command: string): string[] {
  const found: string[] = [];
  const pattern = /'([^']*)'|"((?:\\.|[^"\\])*)"|(\\\n)|(\S+)/g;
  for (const [, single, double, continuation, bare] of command.matchAll(pattern)) {
    if (continuation) continue;
    found.push(single ?? double?.replace(/\\(.)/g, "$1") ?? (bare as string));
  }
  return found;
}

/**
 * Runs a documented `curl …` command with the real curl, and returns the answer's status and JSON
 * body. Only the placeholders were replaced before: the command is otherwise the document's own.
 */
export async function curl(command: string): Promise<{ status: number; body: unknown }> {
  const [program, ...args] = words(command.trim());
  if (program !== "curl") throw new Error(`not a curl command: ${command}`);
  const { stdout } = await promisify(execFile)("curl", ["--silent", "--show-error", "--write-out", "\n%{http_code}", ...args]);
  const lines = stdout.split("\n");
  const status = Number(lines.pop());
  const text = lines.join("\n");
  return { status, body: text ? JSON.parse(text) : null };
}
