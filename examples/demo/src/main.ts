import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest } from "@callhooks/webhook-core/testing";
import { demoCallId, steps } from "./scenario.ts";
import { serve } from "./server.ts";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const [green, red, dim, bold] = [paint(32), paint(31), paint(2), paint(1)];

// A demo key: in an app this is the Retell API key with the "webhook" badge.
const API_KEY = "key_demo_0123456789abcdef";

/** Whether `actual` has every field of `expected` (recursively). */
function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return actual === expected;
  if (typeof actual !== "object" || actual === null) return false;
  return Object.entries(expected).every(([key, value]) => contains((actual as Record<string, unknown>)[key], value));
}
const ran: string[] = [];

const storage = createMemoryStorage();
const handler = createRetellHandler({
  apiKey: API_KEY,
  storage,
  logger: {},
  on: {
    call_started: (event) => void ran.push(`call_started ${event.call.call_id}`),
    call_ended: (event) => void ran.push(`call_ended ${event.call.call_id} (${event.call.disconnection_reason})`),
    call_analyzed: (event) => void ran.push(`call_analyzed: "${event.call.call_analysis?.call_summary}"`),
    call_inbound: (event) => {
      ran.push(`call_inbound from ${event.call_inbound.from_number}`);
      return { call_inbound: { override_agent_id: "agent_after_hours", dynamic_variables: { caller: event.call_inbound.from_number } } };
    },
  },
});

const { url, server } = await serve(handler);
console.log(bold(`callhooks demo — a Retell webhook receiver on ${url} (storage: memory)\n`));

let failures = 0;
for (const step of steps) {
  const signed = await createSignedRetellRequest(step.event, { apiKey: step.forgeWith ?? API_KEY, url });
  let body = await signed.text();
  if (step.tamper) body = step.tamper(body);
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  const ok = response.status === step.expectStatus && (!step.expectBody || contains(json, step.expectBody));
  if (!ok) failures++;
  console.log(`${ok ? green("✓") : red("✗")} ${step.title.padEnd(48)} ${String(response.status).padEnd(4)} ${dim(text.slice(0, 90))}`);
}

console.log(bold("\nHandlers ran (each once, whatever the duplicates):"));
for (const line of ran) console.log(`  • ${line}`);

const call = await storage.getCall("retell", demoCallId);
console.log(bold(`\nThe merged call record for ${demoCallId}:`));
const { transcript, ...fields } = call?.fields ?? {};
console.log(fields);
console.log(dim(`  transcript: ${JSON.stringify(transcript)}`));
console.log(dim(`  built from: ${call?.eventTypes.join(", ")}`));
console.log(bold("\nEvents in storage by status:"), await storage.countEvents());

server.close();
const expectedRuns = 4;
if (failures || ran.length !== expectedRuns || call?.fields.status !== "ended" || !call.fields.summary) {
  console.error(red(`\nThe demo did not go as expected (${failures} step(s) failed, ${ran.length} handler runs).`));
  process.exit(1);
}
console.log(green("\nAll steps behaved as expected."));
