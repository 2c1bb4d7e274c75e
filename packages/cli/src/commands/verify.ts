import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { assertRetellSignature, isWebhookError, type SignatureFailure, type WebhookSignatureError } from "@callhooks/webhook-core";
import { integer, parse, time } from "../args.js";
import { type CliIO, type Output, readAll, UsageError } from "../io.js";

/** A timestamp as ISO 8601, or as the number it is when no date can hold it (a 16-digit `v=`). */
const isoTime = (ms: number): string => (Number.isFinite(new Date(ms).getTime()) ? new Date(ms).toISOString() : `${ms} ms`);

export const verifyHelp = `Usage: callhooks verify [file|-] --signature <header> [options]

Checks a Retell webhook's x-retell-signature offline, over the body exactly as received,
and says why it fails: missing_signature, malformed_signature, timestamp_out_of_range
or signature_mismatch. The body comes from the file, or from stdin ("-", or no file).

Options:
  --signature <value>  the x-retell-signature header's value ("v=<ms>,d=<hex>")
  --api-key <key>      the API key with the webhook badge (or RETELL_API_KEY); repeat it
                       to try several while rotating. Never printed
  --now <time>         check as of this time instead of now, for a captured request
                       (ISO date, epoch ms, or a duration ago such as 2h)
  --tolerance <ms>     how far the signature's time may be from now (default 300000)
  -h, --help           show this help

Exit status: 0 for a valid signature, 1 for an invalid one, 2 on a usage error.

Examples:
  callhooks verify body.json --signature "v=1767268800000,d=5b1f…"
  pbpaste | callhooks verify --signature "$SIG" --now 2026-01-01T12:00:00Z`;

/** What to do from here, where the core's message (printed first) does not already say it. */
const HINTS: Record<SignatureFailure, string | undefined> = {
  missing_signature: "Pass the header's value with --signature.",
  malformed_signature: 'Retell\'s header looks like "v=1767268800000,d=<64 hex digits>"; copy it whole.',
  timestamp_out_of_range: "For a captured request, check it as of when it arrived: --now <time>. On a live server, check the clock (NTP).",
  // The message already names both causes (the key, the bytes); saying it again would print the mismatch twice.
  signature_mismatch: undefined,
};

export async function verify(argv: string[], io: CliIO, output: Output): Promise<number> {
  const { values, positionals } = parse("verify", argv, {
    signature: { type: "string" },
    "api-key": { type: "string", multiple: true },
    now: { type: "string" },
    tolerance: { type: "string" },
  });
  if (values.help) {
    output.out(verifyHelp);
    return 0;
  }
  const keys = values["api-key"] ?? (io.env.RETELL_API_KEY ? [io.env.RETELL_API_KEY] : []);
  for (const key of keys) output.secret(key);
  if (keys.length === 0) throw new UsageError("Which key? Give --api-key (or RETELL_API_KEY).");
  if (positionals.length > 1) throw new UsageError("verify checks one body at a time.");
  const source = positionals[0] ?? "-";
  let body: Uint8Array;
  if (source === "-") {
    if (io.stdin.isTTY) throw new UsageError("Give the body as a file, or pipe it in.");
    body = await readAll(io.stdin);
  } else {
    try {
      body = new Uint8Array(readFileSync(resolve(io.cwd, source)));
    } catch {
      throw new UsageError(`Cannot read ${source}.`);
    }
  }
  const now = time("now", values.now, Date.now()) ?? Date.now();
  const toleranceMs = integer("tolerance", values.tolerance, 300_000, 0);
  const c = output.color;
  try {
    await assertRetellSignature(body, values.signature, keys, { now, toleranceMs });
  } catch (caught) {
    if (!isWebhookError(caught) || caught.code !== "invalid_signature") throw caught;
    const error = caught as WebhookSignatureError;
    const hint = HINTS[error.reason];
    output.out(`${c.red("✗ invalid signature")}: ${c.bold(error.reason)}`);
    output.out(`  ${error.message}`);
    if (hint) output.out(`  ${c.dim(hint)}`);
    const signedAt = /^v=(\d+),/.exec(values.signature?.trim() ?? "")?.[1];
    if (error.reason === "timestamp_out_of_range" && signedAt) {
      output.out(`  ${c.dim(`signed at ${isoTime(Number(signedAt))}, checked as of ${isoTime(now)}`)}`);
    }
    return 1;
  }
  const signedAt = Number(/^v=(\d+),/.exec((values.signature ?? "").trim())?.[1]);
  output.out(`${c.green("✓ valid signature")} ${c.dim(`(${body.byteLength} bytes, signed at ${isoTime(signedAt)})`)}`);
  return 0;
}
