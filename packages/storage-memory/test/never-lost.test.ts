import { createMemoryStorage } from "@callhooks/storage-memory";
import { describeNeverLost } from "@callhooks/webhook-core/testing";

describeNeverLost("storage-memory", { create: () => createMemoryStorage(), runs: 400 });
