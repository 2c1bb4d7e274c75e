// Fastify 5. pipeline: @callhooks/adapter-fastify as its README registers it; handwritten: a Buffer
// content-type parser (Fastify's way to keep the bytes) + verify + JSON.parse + zod; noop: 204 (with
// the same Buffer parser, so Fastify does not JSON.parse a body nobody reads).
import { fastifyHandler } from "@callhooks/adapter-fastify";
import Fastify from "fastify";
import { JSON_TYPE, ready, receiveByHand, retell, variant } from "./common.mjs";

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024, keepAliveTimeout: 60_000 });
if (variant === "pipeline" || variant === "nostorage") await app.register(fastifyHandler(retell), { prefix: "/" });
if (variant === "handwritten" || variant === "noop") {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
}
if (variant === "handwritten") {
  app.post("/", async (request, reply) => {
    const result = receiveByHand(request.body, request.headers["x-retell-signature"]);
    return reply.code(result.status).type(JSON_TYPE).send(result.body);
  });
}
if (variant === "noop") app.post("/", async (_request, reply) => reply.code(204).send());

await app.listen({ port: 0, host: "127.0.0.1" });
ready(app.server.address().port);
