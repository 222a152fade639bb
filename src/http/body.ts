/**
 * Reading message bodies within a size limit: request bodies (form and JSON endpoints) and
 * fetched documents (client ID metadata documents), chunk by chunk, so that an oversized body is
 * refused without being held whole in memory.
 *
 * @module
 */
import { OAuthError } from "../errors.js";

/** The default cap on request bodies: 64 KiB, far above any legitimate OAuth request. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a request (or response) body as UTF-8 text, refusing more than `maxBytes` (413) and
 * invalid UTF-8 (400). Reads the stream incrementally so an oversized body is never held whole in memory.
 */
export async function readBodyText(request: Request | Response, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new OAuthError("invalid_request", `The request body exceeds ${maxBytes} bytes.`, { status: 413 });
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return "";
  // A declared length within the cap lets the runtime read the body in one go (the common case,
  // and measurably faster); the length is checked again in case the header understated it.
  if (declared !== null) return decodeUtf8(await readWhole(request), maxBytes, tooLarge);
  const bytes = await readStreamCapped(request.body, maxBytes, {
    tooLarge,
    unreadable: (cause) => new OAuthError("invalid_request", "The request body could not be read.", { cause }),
  });
  return decodeUtf8(bytes, maxBytes, tooLarge);
}

/** How {@link readStreamCapped} reports its two failures. */
export interface CappedReadErrors {
  tooLarge: () => OAuthError;
  unreadable: (cause: unknown) => OAuthError;
}

/**
 * Reads a body stream chunk by chunk, cancelling it as soon as it passes `maxBytes`, so an
 * oversized body is never held whole in memory, whatever `Content-Length` claimed.
 */
export async function readStreamCapped(stream: ReadableStream<Uint8Array>, maxBytes: number, errors: CappedReadErrors): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw errors.tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw errors.unreadable(error);
  }
  return chunks.length === 1 ? chunks[0]! : concat(chunks, size);
}

async function readWhole(request: Request | Response): Promise<Uint8Array> {
  try {
    return new Uint8Array(await request.arrayBuffer());
  } catch (error) {
    throw new OAuthError("invalid_request", "The request body could not be read.", { cause: error });
  }
}

function decodeUtf8(bytes: Uint8Array, maxBytes: number, tooLarge: () => OAuthError): string {
  if (bytes.byteLength > maxBytes) throw tooLarge();
  try {
    return decoder.decode(bytes);
  } catch {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8.");
  }
}

/** The chunks of a body read piecewise, `size` bytes in all, as one array. @internal */
export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
