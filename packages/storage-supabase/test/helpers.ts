import { type SupabaseClient, createClient } from "@supabase/supabase-js";
import { inject } from "vitest";
import { createSupabaseStorage, type SupabaseStorage } from "../src/index.js";
import type { SupabaseStackInfo } from "../src/testing/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    supabaseStack: SupabaseStackInfo | null;
  }
}

/** The run's shared stack, or null when there is no PostgreSQL here (the suites then skip). */
export const stack: SupabaseStackInfo | null = inject("supabaseStack");

export function serviceClient(info: Pick<SupabaseStackInfo, "supabaseUrl" | "serviceRoleKey">, key = info.serviceRoleKey): SupabaseClient {
  return createClient(info.supabaseUrl, key, { auth: { persistSession: false, autoRefreshToken: false } });
}

export function storageFor(info: SupabaseStackInfo, options: { schema?: string; timeoutMs?: number } = {}): SupabaseStorage {
  return createSupabaseStorage({ client: serviceClient(info), ...options });
}
