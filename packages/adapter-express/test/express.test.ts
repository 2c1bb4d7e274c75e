import { request } from "node:http";
import { captureRawBody, expressHandler } from "@callhooks/adapter-express";
import { createRetellHandler } from "@callhooks/webhook-core";
import { createSignedRetellRequest, retellSample, type ServedAdapter } from "@callhooks/webhook-core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { expressVersions, listen, path } from "./helpers.js";

const apiKey = "key_express_tests_0123456789";
let app: ServedAdapter | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function retell(seen: string[] = [], maxBodyBytes?: number) {
  return createRetellHandler({ apiKey, logger: {}, maxBodyBytes, on: { call_ended: ({ call }) => void seen.push(call.call_id) } });
}

async function deliver(url: string, callId = "call_express") {
  const signed = await createSignedRetellRequest(retellSample("call_ended", { callId }), { apiKey, url });
  return fetch(signed);
}

/** Starts a chunked upload, sends `bytes`, and resolves with the response without ever ending the upload. */
function unfinishedUpload(url: string, bytes: number): Promise<{ status?: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      resolve({ status: res.statusCode, connection: res.headers.connection });
      req.destroy();
    });
    req.on("error", reject);
    req.write("x".repeat(bytes));
  });
}

describe.each(expressVersions)("$name", ({ express }) => {
  it("logs the explanation once, naming the fix, when express.json() ran first", async () => {
    const logged: string[] = [];
    app = await listen(
      express()
        .use(express.json())
        .post(path, expressHandler(retell(), { logger: { error: (m) => logged.push(m) } })),
    );
    const statuses = [(await deliver(app.url)).status, (await deliver(app.url, "call_2")).status];
    expect(statuses).toEqual([500, 500]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("express.json({ verify: captureRawBody })");
    expect(logged[0]).not.toContain(apiKey);
  });

  it("uses a req.rawBody string another middleware kept", async () => {
    const seen: string[] = [];
    const keepText = express.text({ type: "*/*" });
    app = await listen(
      express()
        .use(keepText, (req, _res, next) => {
          (req as { rawBody?: string }).rawBody = req.body as string;
          next();
        })
        .post(path, expressHandler(retell(seen))),
    );
    expect((await deliver(app.url)).status).toBe(200);
    expect(seen).toEqual(["call_express"]);
  });

  it("keeps the rest of the app parsing JSON when captureRawBody is the verify hook", async () => {
    app = await listen(
      express()
        .use(express.json({ verify: captureRawBody }))
        .post("/echo", (req, res) => void res.json({ got: req.body }))
        .post(path, expressHandler(retell())),
    );
    const echo = await fetch(new URL("/echo", app.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ got: { a: 1 } });
  });

  it("answers 413 mid-upload and closes the connection instead of reading the rest", async () => {
    app = await listen(express().post(path, expressHandler(retell([], 4096))));
    expect(await unfinishedUpload(app.url, 16_384)).toEqual({ status: 413, connection: "close" });
    expect((await deliver(app.url)).status).toBe(200);
  });

  it("keeps serving after a client disconnects mid-body, without handing Express an error to print", async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const server = express()
      .post(path, expressHandler(retell(seen)))
      .use((error: unknown, _req: unknown, res: { statusCode: number; end(): void }, _next: unknown) => {
        errors.push(error);
        res.statusCode = 500;
        res.end();
      });
    app = await listen(server);
    await new Promise<void>((resolve) => {
      const req = request(app?.url as string, { method: "POST", headers: { "content-length": "1000" } });
      req.on("error", () => resolve());
      req.write("{", () => setImmediate(() => req.destroy()));
      req.on("close", () => resolve());
    });
    expect((await deliver(app.url)).status).toBe(200);
    expect(seen).toEqual(["call_express"]);
    // The server sees the disconnect after the client does: give its side a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toEqual([]);
  });
});
