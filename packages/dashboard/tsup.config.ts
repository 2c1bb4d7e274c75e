import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// `node` is the Node bridge (Express, Fastify, node:http); the console itself needs no Node API.
export default defineConfig(packageBuild({ entry: { index: "src/index.ts", node: "src/node.ts" }, external: ["@callhooks/webhook-core"] }));
