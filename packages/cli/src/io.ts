import { createColors } from "picocolors";

type Colors = ReturnType<typeof createColors>;

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where the CLI reads and writes: the process's streams, or a test's. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** NO_COLOR (any non-empty value) wins over a TTY; FORCE_COLOR wins over both; `TERM=dumb` has none. */
export function colorEnabled(stream: OutputStream, env: CliIO["env"]): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/**
 * The CLI's output: coloured per stream, and scrubbed of every secret the command was given, so a
 * key can never reach the terminal or a CI log, whatever echoes it (a server, an error message).
 */
export class Output {
  readonly color: Colors;
  readonly errColor: Colors;
  private readonly secrets: string[] = [];
  private progressShown = false;

  constructor(readonly io: CliIO) {
    this.color = createColors(colorEnabled(io.stdout, io.env));
    this.errColor = createColors(colorEnabled(io.stderr, io.env));
  }

  /** Never print `value`. (Under 4 characters it would scrub ordinary words, and is no real key.) */
  secret(value: string | undefined): void {
    if (value && value.length >= 4 && !this.secrets.includes(value)) this.secrets.push(value);
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[redacted]");
    return out;
  }

  out(line = ""): void {
    this.clearProgress();
    this.io.stdout.write(`${this.scrub(line)}\n`);
  }

  err(line = ""): void {
    this.clearProgress();
    this.io.stderr.write(`${this.scrub(line)}\n`);
  }

  /** One live line on a terminal; plain lines on stderr otherwise (never on stdout, which may be piped). */
  progress(text: string): void {
    if (this.io.stderr.isTTY) {
      this.io.stderr.write(`\r\u001b[K${this.errColor.dim(this.scrub(text))}`);
      this.progressShown = true;
    } else {
      this.io.stderr.write(`${this.scrub(text)}\n`);
    }
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.io.stderr.write("\r\u001b[K");
    this.progressShown = false;
  }
}

/** A usage mistake: printed with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {}

/** A failure already explained to the user: exit status 1. */
export class CommandFailed extends Error {}

export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
