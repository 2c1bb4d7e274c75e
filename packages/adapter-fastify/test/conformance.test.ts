import { fastifyHandler } from "@callhooks/adapter-fastify";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { describeAdapterConformance } from "@callhooks/webhook-core/testing";
import Fastify from "fastify";
import { listen, prefix, retellFixtures } from "./helpers.js";

/** An app with its own JSON parser, installed app-wide before the webhook plugin. */
function appWithJsonParser() {
  const app = Fastify();
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, JSON.parse(body as string)));
  return app.post("/orders", async (request) => ({ got: request.body }));
}

describeAdapterConformance("fastify 5", {
  serve: (handler) => listen(Fastify().register(fastifyHandler(handler), { prefix })),
  createStorage: () => createMemoryStorage(),
  fixtures: retellFixtures(),
  parserFirst: [
    {
      name: "the app installed a JSON parser of its own first",
      outcome: "recovers",
      serve: (handler) => listen(appWithJsonParser().register(fastifyHandler(handler), { prefix })),
    },
  ],
});
