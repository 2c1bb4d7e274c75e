import { WebhookConfigError } from "../errors.js";
import type { PipelineHandlers } from "./process.js";
import type { WebhookLogger } from "./types.js";

/** Edit distance, case aside: how far a misspelt handler name is from each known one. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length] as number;
}

export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * A key of `on` that names no event type would be a handler that never runs while its events answer
 * `200 processed`. TypeScript catches it only in an object literal written inline; this catches it
 * when the map is declared apart, built at runtime or written in JavaScript.
 */
export function assertKnownHandlers(handlers: PipelineHandlers, provider: string): void {
  if (!handlers.on) return;
  for (const name of Object.keys(handlers.on)) {
    if (handlers.isKnown(name)) continue;
    const suggestion = handlers.knownTypes && closest(name, handlers.knownTypes);
    throw new WebhookConfigError(
      `on.${name} names no ${provider} event type${suggestion ? `: did you mean "${suggestion}"?` : "."} ` +
        "Event types added after this version of callhooks reach onUnknown.",
    );
  }
}

let warnedWithoutStorage = false;

/**
 * Without a storage every delivery runs the handlers, retries and duplicates included, which an app
 * may not notice until it double-books something. Said once per process, where the app's logger (or
 * the console) shows it; `storage: false` says it is intended.
 */
export function warnWithoutStorage(logger: WebhookLogger, provider: string): void {
  if (warnedWithoutStorage || !logger.warn) return;
  warnedWithoutStorage = true;
  try {
    logger.warn(
      `A ${provider} handler has no storage: a delivery the provider repeats (a retry, a duplicate) runs your handlers again, ` +
        "and nothing is kept for replay. Pass a storage (createMemoryStorage() in one process), or storage: false if this is intended.",
    );
  } catch {
    // a logger must never break handler creation
  }
}
