import { createSupabaseStorage } from "@callhooks/storage-supabase";
import type { SupabaseStackInfo } from "@callhooks/storage-supabase/testing";
import { createClient } from "@supabase/supabase-js";
import { describe, inject } from "vitest";
import { describeInBrowser } from "./browser-suite.js";
import { chromiumAvailable } from "./chromium.js";

declare module "vitest" {
  export interface ProvidedContext {
    supabaseStack: SupabaseStackInfo | null;
  }
}

const stack = inject("supabaseStack");

describe.skipIf(!chromiumAvailable || !stack)("storage-supabase", () => {
  describeInBrowser("storage-supabase (supabase-js → PostgREST → PostgreSQL)", {
    storage: () =>
      createSupabaseStorage({
        client: createClient((stack as SupabaseStackInfo).supabaseUrl, (stack as SupabaseStackInfo).serviceRoleKey, {
          auth: { persistSession: false, autoRefreshToken: false },
        }),
      }),
  });
});
