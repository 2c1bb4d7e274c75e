import type { RetryPolicy } from "./types.js";

export const defaultRetryPolicy: Required<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
};

/**
 * When a failed event is due again: exponential backoff with "full jitter" (a random delay between
 * half and all of `base · 2^(attempt−1)`, capped), so that many failures do not retry in lockstep.
 * Returns null once `attempts` reaches `maxAttempts`: the event is dead.
 */
export function nextAttemptAt(attempts: number, now: number, policy: RetryPolicy = {}, random: () => number = Math.random): number | null {
  const { maxAttempts, baseDelayMs, maxDelayMs } = { ...defaultRetryPolicy, ...policy };
  if (attempts >= maxAttempts) return null;
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return now + Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
