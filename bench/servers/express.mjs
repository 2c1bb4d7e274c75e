// Express 5. pipeline: @callhooks/adapter-express as its README mounts it; handwritten: express.raw()
// (the usual way to keep the bytes) + verify + JSON.parse + zod; noop: 204.
import { expressHandler } from "@callhooks/adapter-express";
import express from "express";
import { JSON_TYPE, ready, receiveByHand, retell, variant } from "./common.mjs";

const app = express();
app.disable("x-powered-by");
app.disable("etag");
if (variant === "pipeline" || variant === "nostorage") app.post("/", expressHandler(retell));
if (variant === "handwritten") {
  app.post("/", express.raw({ type: "*/*", limit: "8mb" }), (req, res) => {
    const result = receiveByHand(req.body, req.get("x-retell-signature"));
    res.status(result.status).type(JSON_TYPE).send(result.body);
  });
}
if (variant === "noop") app.post("/", (_req, res) => res.status(204).end());

const server = app.listen(0, "127.0.0.1", () => ready(server.address().port));
server.keepAliveTimeout = 60_000;
