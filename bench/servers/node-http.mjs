// Bare node:http. pipeline (and nostorage): the body read by hand and given to retell.handle()
// directly (what any framework without an adapter does); handwritten: verify + JSON.parse + zod; noop: 204, body unread.
import { createServer } from "node:http";
import { JSON_TYPE, ready, receiveByHand, retell, variant } from "./common.mjs";

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const handlers = {
  async pipeline(req, res) {
    const body = await readBody(req);
    const result = await retell.handle({ method: req.method, headers: req.headers, body, remoteAddress: req.socket.remoteAddress });
    res.writeHead(result.status, result.headers);
    res.end(result.body);
  },
  async handwritten(req, res) {
    const body = await readBody(req);
    const result = receiveByHand(body, req.headers["x-retell-signature"]);
    res.writeHead(result.status, { "content-type": JSON_TYPE });
    res.end(result.body);
  },
  noop(_req, res) {
    res.writeHead(204);
    res.end();
  },
};

handlers.nostorage = handlers.pipeline;
const handle = handlers[variant];
const server = createServer((req, res) => {
  const done = handle(req, res);
  if (done)
    done.catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => ready(server.address().port));
