import { randomUUID } from "node:crypto";
import { type LocalEdgeFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import { describe } from "vitest";
import { campaignsSuite, DASHBOARD_PASSWORD, FUNCTION, projectDir } from "./suite.js";

// A new Supabase project: callhooks' migration and this example's, nothing else.
const apiKey = `key_campaigns_${randomUUID().replaceAll("-", "")}`;
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: { RETELL_API_KEY: apiKey, DASHBOARD_PASSWORD, CALLHOOKS_MODE: "sync" },
});

describe.skipIf(!running)("retell-webhook Edge Function on a new project (Deno, PostgreSQL, PostgREST, supabase-js)", () => {
  campaignsSuite(running as LocalEdgeFunction, apiKey, { existing: false });
});
