import type { WebhookLogger } from "./types.js";

/** A clock for durations: monotonic where the runtime has one. */
export const monotonic: () => number =
  typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();

/** An error's message, bounded: stored as `lastError` and logged, never a payload. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 1000 ? `${message.slice(0, 1000)}…` : message;
}

export const consoleLogger = (prefix: string): WebhookLogger => ({
  warn: (message, fields) => console.warn(`${prefix} ${message}`, fields ?? ""),
  error: (message, fields) => console.error(`${prefix} ${message}`, fields ?? ""),
});

/** Calls a hook the app gave, which must never break delivery: whatever it throws is dropped. */
export function guarded<A extends unknown[]>(hook: ((...args: A) => unknown) | undefined): (...args: A) => void {
  return (...args) => {
    if (!hook) return;
    try {
      hook(...args);
    } catch {
      // an observer, logger or error hook must never break delivery
    }
  };
}

/** Logs an error and hands it to `onError`, neither of which may break delivery. */
export function reporter<C extends object>(
  logger: WebhookLogger,
  onError: ((error: unknown, context: C) => void) | undefined,
  base: C,
): (error: unknown, context?: Partial<C>) => void {
  const log = guarded((message: string, fields: object) => logger.error?.(message, { ...fields }));
  const hook = guarded(onError);
  return (error, context) => {
    const about = { ...base, ...context } as C;
    log(errorMessage(error), about);
    hook(error, about);
  };
}
