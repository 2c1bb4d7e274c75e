import { defineProject } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: workspaceAliases() },
  test: { name: "adapter-express", include: ["test/**/*.test.ts"] },
});
