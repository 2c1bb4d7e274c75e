import { describeStorageConformance } from "@callhooks/webhook-core/testing";
import { createMemoryStorage } from "@callhooks/storage-memory";

describeStorageConformance("storage-memory", { create: () => createMemoryStorage() });
