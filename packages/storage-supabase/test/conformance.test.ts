import { describeStorageConformance } from "@callhooks/webhook-core/testing";
import { describe } from "vitest";
import { stack, storageFor } from "./helpers.js";

describe.skipIf(!stack)("storage-supabase", () => {
  describeStorageConformance("storage-supabase (supabase-js → PostgREST → PostgreSQL)", {
    create: () => storageFor(stack!),
  });
});
