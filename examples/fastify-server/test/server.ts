import { fileURLToPath } from "node:url";
import { nodeExample } from "@callhooks/test-support";

export type { ServerProcess as Running } from "@callhooks/test-support";
export const exampleDir = fileURLToPath(new URL("..", import.meta.url));
/** `node src/server.ts` for real, on a port the OS picks; `callhooks <args>` as a developer runs it. */
export const { startServer, startFailure, cli } = nodeExample(exampleDir, "src/server.ts");
