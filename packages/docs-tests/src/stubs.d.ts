// Modules and globals the READMEs use that this workspace does not install, declared with only what
// the blocks use: the blocks' own code (and every callhooks call in them) is still checked.

declare module "next/server" {
  /** Next.js: runs `task` after the response is sent. */
  export function after(task: Promise<unknown> | (() => unknown)): void;
}

declare module "@vercel/functions" {
  /** Vercel: keeps the function alive until `promise` settles. */
  export function waitUntil(promise: Promise<unknown>): void;
}

/** The Next.js block imports the handler of the block above it, as an app's `lib/retell.ts` would export it. */
declare module "@/lib/retell" {
  export const retell: import("@callhooks/webhook-core").WebhookHandler;
}

/** Deno (Supabase Edge Functions). */
declare const Deno: {
  serve(handler: (request: Request) => Response | Promise<Response>): unknown;
  env: { get(name: string): string | undefined };
};
