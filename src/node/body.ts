/// <reference types="node" />
/**
 * Reading a node:http request body under the same cap and with the same errors as the Web path's
 * `readBodyText`: `413` past `maxBodyBytes` (declared or streamed), `400` on invalid UTF-8 or a
 * stream that fails.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import { OAuthError } from "../errors.js";
import { concat } from "../http/body.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A request a body parser may already have read (Express's `express.text()`, Fastify's raw body). */
interface MaybeParsedRequest extends IncomingMessage {
  body?: unknown;
}

/**
 * Reads the body of `req` as UTF-8 text, refusing more than `maxBytes`. Chunks are collected as
 * they arrive and the read stops at the cap, so an oversized body is never held whole in memory.
 * A body already read into `req.body` as a string or bytes (a raw or text body parser) is used as
 * it is; a stream that something else has consumed is an error (a JSON or urlencoded parser in
 * front of oauthkit), reported as `400`, never a hang.
 *
 * @param req - The node:http request (Express's and Fastify's raw request are ones).
 * @param maxBytes - The cap (the server's `maxBodyBytes`).
 * @returns The body text.
 * @throws {OAuthError} `invalid_request` with status 413 (too large) or 400 (invalid UTF-8,
 *   unreadable or already consumed).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new OAuthError("invalid_request", `The request body exceeds ${maxBytes} bytes.`, { status: 413 });
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLarge());
  const parsed = (req as MaybeParsedRequest).body;
  if (typeof parsed === "string" || parsed instanceof Uint8Array) {
    const bytes = typeof parsed === "string" ? new TextEncoder().encode(parsed) : parsed;
    return bytes.byteLength > maxBytes ? Promise.reject(tooLarge()) : decode(bytes);
  }
  if (req.readableEnded) {
    return Promise.reject(new OAuthError("invalid_request", "The request body was already read by another body parser."));
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > maxBytes) {
        cleanup();
        // Discard the rest instead of buffering it, so the connection can still carry the answer.
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      decode(chunks.length === 1 ? chunks[0]! : concat(chunks, size)).then(resolve, reject);
    };
    const onError = (cause: unknown) => {
      cleanup();
      reject(new OAuthError("invalid_request", "The request body could not be read.", { cause }));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
  });
}

function decode(bytes: Uint8Array): Promise<string> {
  try {
    return Promise.resolve(decoder.decode(bytes));
  } catch {
    return Promise.reject(new OAuthError("invalid_request", "The request body is not valid UTF-8."));
  }
}
