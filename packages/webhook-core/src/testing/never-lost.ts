import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../pipeline/types.js";
import { createRetellHandler } from "../retell/handler.js";
import { retellEventTypes } from "../retell/schemas.js";
import { signRetellPayload } from "../retell/signature.js";
import { retellSample } from "../samples/retell-samples.js";
import type { WebhookStorage } from "../storage/types.js";

export interface NeverLostOptions {
  /** Makes the storage under test (called once). */
  create(): WebhookStorage | Promise<WebhookStorage>;
  destroy?(storage: WebhookStorage): void | Promise<void>;
  /** How many random deliveries (default 200). */
  runs?: number;
  /** The generator's seed: a failure names it, and the same seed replays the same bodies. */
  seed?: number;
  /** The handler's body limit; bodies are generated up to it (default 256 KiB). */
  maxBodyBytes?: number;
}

/** xorshift32: small, seedable, the same sequence on every runtime. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

type Random = ReturnType<typeof random>;

/** Text of any UTF-16 units: NUL, lone surrogates and astral pairs included. */
function text(r: Random, max: number): string {
  const length = r.int(max + 1);
  let out = "";
  for (let i = 0; i < length; i++) {
    const kind = r.int(10);
    out += kind < 6 ? String.fromCharCode(32 + r.int(95)) : kind < 8 ? String.fromCharCode(r.int(0x10000)) : kind < 9 ? "\u0000" : "😀";
  }
  return out;
}

/** Printable text that does not compress. */
function noise(r: Random, length: number): string {
  let out = "";
  while (out.length < length) out += (r.int(0x1_0000_0000) >>> 0).toString(36);
  return out.slice(0, length);
}

function value(r: Random, depth: number): unknown {
  const kind = r.int(depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 1e21, -1e-7, Number.MAX_SAFE_INTEGER, r.int(1e9)]);
    case 3:
    case 4:
      return text(r, 24);
    case 5:
      return r.next() < 0.05 ? noise(r, 3000 + r.int(20_000)) : text(r, 8);
    case 6:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
    default:
      return object(r, depth);
  }
}

function object(r: Random, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: r.int(6) }, () => [r.next() < 0.1 ? noise(r, r.int(5000)) : text(r, 12), value(r, depth + 1)]),
  );
}

/** Nesting `levels` deep, as an unknown field would carry it. */
const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

/** A JSON object as real, odd or hostile senders make them, as its exact text. */
function body(r: Random): string {
  const kind = r.int(8);
  const type = r.pick(retellEventTypes);
  if (kind === 0) return JSON.stringify(object(r, 1));
  const sample = retellSample(type, { callId: `call_${r.int(1e9)}`, chatId: `chat_${r.int(1e9)}` }) as Record<string, unknown>;
  const subject = (sample.call ?? sample.chat ?? sample[type]) as Record<string, unknown> | undefined;
  switch (kind) {
    case 1: // a field of the wrong type, or gone
      if (subject) {
        const key = r.pick(Object.keys(subject));
        if (r.next() < 0.5) delete subject[key];
        else subject[key] = value(r, 1);
      }
      return JSON.stringify(sample);
    case 2: // an event name no schema knows, of any length
      return JSON.stringify({ ...sample, event: r.next() < 0.2 ? `e_${noise(r, 3000)}` : text(r, 20) });
    case 3: // an id far beyond what an index takes (random: a repeated character would compress to fit)
      if (subject)
        subject[r.pick(["call_id", "chat_id", "from_number", "to_number", "transfer_destination"])] = noise(r, 300 + r.int(100_000));
      return JSON.stringify(sample);
    case 4: // deep nesting inside a field nobody declared
      return JSON.stringify(sample).replace(/}$/, `,"extra":${nested(r.pick([50, 101, 1_000, 10_000]))}}`);
    case 5: // unknown fields everywhere
      if (subject) Object.assign(subject, object(r, 2));
      return JSON.stringify({ ...sample, ...object(r, 2) });
    default:
      return JSON.stringify(sample);
  }
}

/**
 * The promise behind "a genuine delivery is never lost", run against a storage: random JSON objects,
 * genuinely signed (odd types, wrong fields, huge ids and keys, deep nesting, NUL and lone
 * surrogates), each delivered through a Retell handler over the storage. Every one must be answered
 * 2xx — no 4xx (they are JSON objects), no 5xx a retry would repeat forever — and end `processed` or
 * `quarantined`, listed by `listEvents()`.
 */
export function describeNeverLost(name: string, options: NeverLostOptions): void {
  describe(`a genuine delivery is never lost: ${name}`, () => {
    let storage: WebhookStorage;
    beforeAll(async () => {
      storage = await options.create();
    });
    afterAll(async () => {
      if (storage) await options.destroy?.(storage);
    });

    it(`ends ${options.runs ?? 200} random, genuinely signed JSON objects processed or quarantined`, async () => {
      const seed = options.seed ?? Date.now() % 1_000_000;
      const r = random(seed);
      const apiKey = "key_never_lost";
      const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
      const last: Observation[] = [];
      const on = Object.fromEntries(retellEventTypes.map((type) => [type, async () => undefined]));
      const handler = createRetellHandler({
        apiKey,
        storage,
        maxBodyBytes,
        logger: {},
        on,
        onUnknown: async () => undefined,
        observe: (observation) => {
          if (["processed", "quarantined", "duplicate", "rejected", "failed", "dead", "in_flight", "lease_lost"].includes(observation.kind))
            last.push(observation);
        },
      });
      const ids = new Set<string>();
      const since = Date.now() - 1;
      for (let run = 0; run < (options.runs ?? 200); run++) {
        const text = body(r);
        if (new TextEncoder().encode(text).byteLength > maxBodyBytes) continue;
        last.length = 0;
        const response = await handler.fetch(
          new Request("http://localhost/webhooks/retell", {
            method: "POST",
            headers: { "content-type": "application/json", "x-retell-signature": await signRetellPayload(text, apiKey) },
            body: text,
          }),
        );
        const answer = await response.text();
        const outcome = last.at(-1);
        const context = `seed ${seed}, run ${run}: ${response.status} ${answer.slice(0, 200)} ← ${text.slice(0, 200)}`;
        expect(response.status < 300, context).toBe(true);
        expect(["processed", "quarantined", "duplicate"], context).toContain(outcome?.kind);
        const stored = outcome?.eventId ? await storage.getEvent(outcome.eventId) : null;
        expect(stored?.status === "processed" || stored?.status === "quarantined", context).toBe(true);
        ids.add(outcome?.eventId as string);
      }
      const listed = new Set((await storage.listEvents({ provider: "retell", since, limit: ids.size + 1000 })).map((event) => event.id));
      for (const id of ids) expect(listed.has(id), `listEvents() misses ${id} (seed ${seed})`).toBe(true);
    });
  });
}
