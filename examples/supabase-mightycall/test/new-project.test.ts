import { randomUUID } from "node:crypto";
import { type LocalEdgeFunction, startEdgeFunctionOrSkip } from "@callhooks/storage-supabase/testing";
import { describe } from "vitest";
import { DASHBOARD_PASSWORD, FUNCTION, mightyCallSuite, projectDir } from "./suite.js";

// A new Supabase project: callhooks' migration and this example's, nothing else.
const credentials = { secret: `whsec_${randomUUID().replaceAll("-", "")}`, apiKey: randomUUID() };
const running = await startEdgeFunctionOrSkip({
  projectDir,
  name: FUNCTION,
  secrets: {
    MIGHTYCALL_WEBHOOK_SECRET: credentials.secret,
    MIGHTYCALL_API_KEY: credentials.apiKey,
    DASHBOARD_PASSWORD,
    CALLHOOKS_MODE: "sync",
  },
});

describe.skipIf(!running)("MightyCall Edge Functions on a new project (Deno, PostgreSQL, PostgREST, supabase-js)", () => {
  mightyCallSuite(running as LocalEdgeFunction, credentials, { existing: false });
});
