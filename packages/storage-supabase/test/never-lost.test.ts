import { describeNeverLost } from "@callhooks/webhook-core/testing";
import { describe } from "vitest";
import { stack, storageFor } from "./helpers.js";

describe.skipIf(!stack)("storage-supabase", () => {
  describeNeverLost("storage-supabase (supabase-js → PostgREST → PostgreSQL)", { create: () => storageFor(stack!), runs: 250 });
});
