import { randomBytes } from "node:crypto";
import { createDashboard } from "@callhooks/dashboard";
import { nodeHandler } from "@callhooks/dashboard/node";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createMightyCallHandler, createRetellHandler } from "@callhooks/webhook-core";
import { MIGHTYCALL_CALL, RETELL_CALL, secrets, steps } from "./scenario.ts";
import { serve } from "./server.ts";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const [green, red, dim, bold] = [paint(32), paint(31), paint(2), paint(1)];

/** Whether `actual` has every field of `expected` (recursively). */
function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return actual === expected;
  if (typeof actual !== "object" || actual === null) return false;
  return Object.entries(expected).every(([key, value]) => contains((actual as Record<string, unknown>)[key], value));
}

const ran: string[] = [];
const storage = createMemoryStorage(); // one storage for both providers

const retell = createRetellHandler({
  apiKey: secrets.retell,
  storage,
  logger: {},
  on: {
    call_started: (event) => void ran.push(`retell call_started ${event.call.call_id}`),
    call_ended: (event) => void ran.push(`retell call_ended ${event.call.call_id} (${event.call.disconnection_reason})`),
    call_analyzed: (event) => void ran.push(`retell call_analyzed: "${event.call.call_analysis?.call_summary}"`),
    call_inbound: (event) => {
      ran.push(`retell call_inbound from ${event.call_inbound.from_number}`);
      return { call_inbound: { override_agent_id: "agent_after_hours", dynamic_variables: { caller: event.call_inbound.from_number } } };
    },
  },
});

const mightyCall = createMightyCallHandler({
  push: { secret: secrets.mightyCallPush },
  native: { apiKey: secrets.mightyCallApiKey, orgFromUrl: (url) => url.searchParams.get("org") },
  storage,
  logger: {},
  on: {
    IncomingCallCompleted: (event, context) => void ran.push(`mightycall IncomingCallCompleted ${event.Body.Id} (org ${context.orgId})`),
    "sms.received": (event) => void ran.push(`mightycall sms.received: "${event.message}"`),
  },
});

// The callhooks console over the same storage, behind HTTP Basic (a password made up for this run).
const CONSOLE_PATH = "/callhooks";
const consoleUser = { username: "demo", password: process.env.DASHBOARD_PASSWORD || randomBytes(9).toString("base64url") };
const dashboard = createDashboard({ storage, handlers: [retell, mightyCall], auth: consoleUser, basePath: CONSOLE_PATH });

const { baseUrl, server } = await serve(
  { "/webhooks/retell": retell, "/webhooks/mightycall": mightyCall },
  { [CONSOLE_PATH]: nodeHandler(dashboard) },
);
console.log(bold(`callhooks demo — Retell and MightyCall receivers on ${baseUrl} (storage: memory)\n`));

let failures = 0;
for (const step of steps) {
  const response = await fetch(await step.request(baseUrl));
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  const ok =
    response.status === step.expectStatus &&
    (!step.expectBody || contains(json, step.expectBody)) &&
    (!step.expectHeader || response.headers.get(step.expectHeader[0]) === step.expectHeader[1]);
  if (!ok) failures++;
  console.log(`${ok ? green("✓") : red("✗")} ${step.title.padEnd(44)} ${String(response.status).padEnd(4)} ${dim(text.slice(0, 80))}`);
}

console.log(bold("\nHandlers ran (each once, whatever the duplicates):"));
for (const line of ran) console.log(`  • ${line}`);

const retellCall = await storage.getCall("retell", RETELL_CALL);
const { transcript, ...retellFields } = retellCall?.fields ?? {};
console.log(bold(`\nThe merged Retell call record (${retellCall?.eventTypes.join(", ")}):`));
console.log(retellFields);
console.log(dim(`  transcript: ${JSON.stringify(transcript)}`));

const mightyCallRecord = await storage.getCall("mightycall", MIGHTYCALL_CALL);
console.log(bold(`\nThe merged MightyCall call record (${mightyCallRecord?.eventTypes.join(", ")}):`));
console.log(mightyCallRecord?.fields);
console.log(bold("\nEvents in storage by status:"), await storage.countEvents());

// The console shows what just happened: the inbox lists the deliveries, behind its password.
const consoleUrl = `${baseUrl}${CONSOLE_PATH}/`;
const authorization = `Basic ${Buffer.from(`${consoleUser.username}:${consoleUser.password}`).toString("base64")}`;
const inbox = await fetch(consoleUrl, { headers: { authorization } });
const inboxPage = await inbox.text();
const consoleOk = inbox.status === 200 && inboxPage.includes(RETELL_CALL) && (await fetch(consoleUrl)).status === 401;
console.log(`\n${consoleOk ? green("✓") : red("✗")} the console lists the deliveries, behind its password`);

const expectedRuns = 6;
const problems = [
  failures && `${failures} step(s) answered unexpectedly`,
  ran.length !== expectedRuns && `${ran.length} handler runs instead of ${expectedRuns}`,
  retellCall?.fields.status !== "ended" && "the Retell call is not ended",
  !retellCall?.fields.summary && "the Retell call has no summary",
  mightyCallRecord?.fields.status !== "completed" && "the MightyCall call is not completed",
  !consoleOk && "the console did not list the deliveries",
].filter(Boolean);
if (problems.length) {
  server.close();
  console.error(red(`\nThe demo did not go as expected: ${problems.join("; ")}.`));
  process.exit(1);
}
console.log(green("\nAll steps behaved as expected."));
console.log(bold(`\nThe callhooks console: ${consoleUrl}`) + `   (user ${consoleUser.username}, password ${consoleUser.password})`);

// In a terminal the demo keeps serving, to look around the console; piped (tests, CI) or with --exit, it ends here.
if (process.stdout.isTTY && process.stdin.isTTY && !process.argv.includes("--exit")) {
  console.log(dim("Open it in a browser to look at the events, the calls and the charts. Ctrl-C stops the demo."));
  process.once("SIGINT", () => server.close(() => process.exit(0)));
} else {
  server.close();
}
