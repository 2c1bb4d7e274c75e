import type { IncomingMessage } from "node:http";
import { WebhookPayloadTooLargeError } from "@callhooks/webhook-core";

/** The client went away mid-body: there is nobody left to answer, and nothing for Express to report. */
export class ClientGoneError extends Error {}

/**
 * Reads a Node request body up to `limit` bytes. Past the limit (declared or streamed) it stops
 * listening and rejects at once, so an oversized body is never buffered nor waited for.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(new WebhookPayloadTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > limit) {
        stop();
        req.pause();
        reject(new WebhookPayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      // Node reports a client that hung up as an error ("aborted", ECONNRESET) before it closes.
      const gone = error instanceof ClientGoneError || req.destroyed || (req as { aborted?: boolean }).aborted === true;
      reject(gone && !(error instanceof ClientGoneError) ? new ClientGoneError(error.message, { cause: error }) : error);
    };
    // A client that disconnects mid-body emits close without end: settle instead of hanging.
    const onClose = () => onError(new ClientGoneError("The client closed the connection before the body was complete."));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** Bytes an earlier middleware kept: `req.rawBody` (Buffer or string), or `express.raw()`'s Buffer body. */
export function keptBody(req: { body?: unknown; rawBody?: unknown }): string | Uint8Array | undefined {
  if (typeof req.rawBody === "string" || req.rawBody instanceof Uint8Array) return req.rawBody;
  return req.body instanceof Uint8Array ? req.body : undefined;
}

/** Whether something already read the stream (body-parser also marks `req._body`): it cannot be read again. */
export function drained(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded || (req as { _body?: unknown })._body === true;
}
