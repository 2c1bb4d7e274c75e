import { defineProject } from "vitest/config";

// The demo runs against the built packages, as a user's app would.
export default defineProject({ test: { name: "example-demo", include: ["test/**/*.test.ts"] } });
