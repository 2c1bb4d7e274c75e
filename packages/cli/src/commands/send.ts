import { integer, parse } from "../args.js";
import { authenticate, credentialFor, type Delivery, type Provider, resolveDeliveries, sampleNames } from "../deliveries.js";
import { type CliIO, type Output, UsageError } from "../io.js";

export const sendHelp = `Usage: callhooks send <event|file|dir>... --url <url> [options]

Sends webhooks to your endpoint, authenticated exactly as the provider does it, and prints
each answer. Retell events are signed with x-retell-signature over the exact bytes;
MightyCall push events carry Authorization: Bearer <secret>; MightyCall native events
carry the account's API key in the body's ApiKey.

  <event>   a built-in sample of any event: Retell call_started, call_ended, call_analyzed,
            transcript_updated, transfer_*, chat_*, call_inbound, chat_inbound; MightyCall
            call.completed, sms.received, …, IncomingCallCompleted, … (see --list)
  <file>    a JSON body, sent byte for byte (a fixture captured from real traffic)
  <dir>     every .json file in it, in name order

Options:
  --url <url>          the webhook endpoint (or CALLHOOKS_URL)
  --api-key <key>      Retell: the API key with the webhook badge (or RETELL_API_KEY).
                       MightyCall native: the account's API key (or MIGHTYCALL_API_KEY)
  --secret <secret>    MightyCall push: the Bearer secret (or MIGHTYCALL_WEBHOOK_SECRET)
  --bad-signature      forge the credential (a well-formed, wrong signature, Bearer or
                       ApiKey): a correct endpoint answers 401
  --provider <name>    retell or mightycall (default: from the event name or the body)
  --call-id <id>       the call id of built-in samples (default: the sample's)
  --header <k:v>       an extra request header (repeatable)
  --expect <status>    the status that counts as success (default: any 2xx), e.g.
                       --bad-signature --expect 401 in a smoke test
  --timeout <ms>       give up on a request after this long (default 15000; Retell
                       itself waits 10 s, then retries)
  --quiet              print only unexpected answers and the summary
  --json               print one JSON object per answer instead
  --list               list the built-in events and exit
  -h, --help           show this help

Keys are never printed. Prefer the environment variables: arguments show in \`ps\`.
Exit status: 0 when every answer is as expected, 1 otherwise, 2 on a usage error.

Examples:
  callhooks send call_ended --url http://localhost:3000/webhooks/retell
  callhooks send fixtures/retell/ --url https://example.com/hooks --quiet
  callhooks send call_started --bad-signature --expect 401 --url http://localhost:3000/webhooks/retell
  callhooks send call.completed --secret "$MIGHTYCALL_WEBHOOK_SECRET" --url http://localhost:3000/webhooks/mightycall`;

const RETELL_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 2_000;

interface Answer {
  delivery: Delivery;
  ok: boolean;
  status: number | null;
  ms: number;
  body: string;
  error?: string;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function formatBody(text: string): string {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  return shown.length > BODY_LIMIT ? `${shown.slice(0, BODY_LIMIT)}… (${text.length} bytes)` : shown;
}

async function deliver(
  url: string,
  delivery: Delivery,
  request: { headers: Record<string, string>; body: string | Uint8Array },
  timeoutMs: number,
  expected: (status: number) => boolean,
): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: request.headers,
      body: request.body as BodyInit,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    const body = await response.text();
    return { delivery, ok: expected(response.status), status: response.status, ms: performance.now() - started, body };
  } catch (error) {
    return { delivery, ok: false, status: null, ms: performance.now() - started, body: "", error: describeNetworkError(error, timeoutMs) };
  }
}

function extraHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(":");
    if (colon < 1) throw new UsageError(`--header takes "name: value", not "${value}".`);
    headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
  }
  return headers;
}

function printAnswer(output: Output, answer: Answer, index: number, total: number, bad: boolean): void {
  const c = output.color;
  const counter = total > 1 ? c.dim(`[${index}/${total}] `) : "";
  const mark = answer.ok ? c.green("✓") : c.red("✗");
  const status =
    answer.status === null
      ? c.red("no answer")
      : (answer.status < 300 ? c.green : answer.status < 500 ? c.yellow : c.red)(String(answer.status));
  const forged = bad ? c.dim(" (forged)") : "";
  output.out(`${counter}${mark} ${status} ${c.bold(answer.delivery.label)}${forged} ${c.dim(`${Math.round(answer.ms)} ms`)}`);
  if (answer.error) output.out(`  ${c.red(answer.error)}`);
  if (answer.body) output.out(formatBody(answer.body).replace(/^/gm, "  "));
  if (answer.ms > RETELL_TIMEOUT_MS && answer.delivery.provider === "retell") {
    output.out(c.yellow(`  slower than Retell's 10 s timeout: Retell would deliver it again (use mode: "deferred").`));
  }
}

export async function send(argv: string[], io: CliIO, output: Output): Promise<number> {
  const { values, positionals } = parse("send", argv, {
    url: { type: "string" },
    "api-key": { type: "string" },
    secret: { type: "string" },
    "bad-signature": { type: "boolean" },
    provider: { type: "string" },
    "call-id": { type: "string" },
    header: { type: "string", multiple: true },
    expect: { type: "string" },
    timeout: { type: "string" },
    quiet: { type: "boolean" },
    json: { type: "boolean" },
    list: { type: "boolean" },
  });
  if (values.help) {
    output.out(sendHelp);
    return 0;
  }
  for (const secret of [
    values["api-key"],
    values.secret,
    io.env.RETELL_API_KEY,
    io.env.MIGHTYCALL_API_KEY,
    io.env.MIGHTYCALL_WEBHOOK_SECRET,
  ])
    output.secret(secret);
  if (values.list) {
    output.out(`Retell:     ${sampleNames.retell.join(" ")}`);
    output.out(`MightyCall: ${sampleNames.mightycall.join(" ")}`);
    return 0;
  }
  const provider = values.provider as Provider | undefined;
  if (provider !== undefined && provider !== "retell" && provider !== "mightycall")
    throw new UsageError(`--provider is retell or mightycall, not "${provider}".`);
  if (positionals.length === 0)
    throw new UsageError("Which events? Name a built-in event, a file or a directory (see `callhooks send --help`).");
  const url = values.url ?? io.env.CALLHOOKS_URL;
  if (!url) throw new UsageError("Where to? Give --url (or CALLHOOKS_URL).");
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}".`);
  const timeoutMs = integer("timeout", values.timeout, 15_000);
  const wanted = values.expect === undefined ? undefined : integer("expect", values.expect, 0, 100);
  const expected = (status: number) => (wanted === undefined ? status >= 200 && status < 300 : status === wanted);
  const headers = extraHeaders(values.header);
  const bad = values["bad-signature"] === true;
  const deliveries = resolveDeliveries(positionals, io.cwd, {
    ...(provider && { provider }),
    ...(values["call-id"] && { callId: values["call-id"] }),
  });

  let failures = 0;
  for (const [i, delivery] of deliveries.entries()) {
    const request = await authenticate(delivery, credentialFor(delivery, values, io.env), bad);
    request.headers = { ...request.headers, ...headers };
    if (deliveries.length > 1) output.progress(`sending ${i + 1}/${deliveries.length}: ${delivery.label}`);
    const answer = await deliver(url, delivery, request, timeoutMs, expected);
    if (!answer.ok) failures++;
    if (values.json) {
      output.out(
        JSON.stringify({
          event: delivery.label,
          provider: delivery.provider,
          status: answer.status,
          ok: answer.ok,
          ms: Math.round(answer.ms),
          body: answer.body,
          ...(answer.error && { error: answer.error }),
        }),
      );
    } else if (!values.quiet || !answer.ok) {
      printAnswer(output, answer, i + 1, deliveries.length, bad);
    }
  }
  output.clearProgress();
  if (!values.json && (deliveries.length > 1 || values.quiet)) {
    const c = output.color;
    const expectation = wanted === undefined ? "2xx" : String(wanted);
    output.out(
      failures === 0
        ? c.green(`${deliveries.length} sent, all answered ${expectation}.`)
        : c.red(`${deliveries.length} sent, ${failures} not answered ${expectation}.`),
    );
  }
  return failures > 0 ? 1 : 0;
}
