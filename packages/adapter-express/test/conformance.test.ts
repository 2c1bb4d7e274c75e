import { captureRawBody, expressHandler } from "@callhooks/adapter-express";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { describeAdapterConformance } from "@callhooks/webhook-core/testing";
import { expressVersions, listen, path, quiet, retellFixtures } from "./helpers.js";

for (const { name, express } of expressVersions) {
  describeAdapterConformance(name, {
    serve: (handler) => listen(express().all(path, expressHandler(handler))),
    createStorage: () => createMemoryStorage(),
    fixtures: retellFixtures(),
    parserFirst: [
      {
        name: "express.json({ verify: captureRawBody }) is mounted first",
        outcome: "recovers",
        serve: (handler) =>
          listen(
            express()
              .use(express.json({ verify: captureRawBody }))
              .all(path, expressHandler(handler)),
          ),
      },
      {
        name: "express.json() is mounted first",
        outcome: "explains",
        serve: (handler) =>
          listen(
            express()
              .use(express.json())
              .all(path, expressHandler(handler, { logger: quiet })),
          ),
      },
      {
        name: "express.raw() is mounted first",
        outcome: "recovers",
        serve: (handler) =>
          listen(
            express()
              .use(express.raw({ type: "*/*" }))
              .all(path, expressHandler(handler)),
          ),
      },
    ],
  });
}
