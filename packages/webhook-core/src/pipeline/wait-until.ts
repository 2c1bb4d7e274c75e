/**
 * The runtime's own global `waitUntil`, when it has one: Supabase Edge Functions' `EdgeRuntime.waitUntil`
 * (Vercel's `EdgeRuntime` is a string, not an object). Deferred mode falls back to it when no
 * `waitUntil` is given; adapters whose framework offers none on this request can too.
 */
export function runtimeWaitUntil(): ((promise: Promise<unknown>) => void) | undefined {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil?: unknown } }).EdgeRuntime;
  if (typeof runtime !== "object" || runtime === null || typeof runtime.waitUntil !== "function") return undefined;
  return (promise) => (runtime.waitUntil as (promise: Promise<unknown>) => void).call(runtime, promise);
}
