import { fileURLToPath } from "node:url";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { describe } from "vitest";
import { describeInBrowser } from "./browser-suite.js";
import { chromiumAvailable } from "./chromium.js";

// UPDATE_SCREENSHOTS=1 rewrites the README's screenshots from this run.
const screenshots = process.env.UPDATE_SCREENSHOTS === "1" ? fileURLToPath(new URL("../screenshots/", import.meta.url)) : undefined;

describe.skipIf(!chromiumAvailable)("storage-memory", () => {
  describeInBrowser("storage-memory", { storage: () => createMemoryStorage(), screenshots });
});
