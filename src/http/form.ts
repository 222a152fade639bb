/**
 * Strict parsing of OAuth request parameters (RFC 6749 §3.1, §3.2): form bodies and query
 * strings, with repeated parameters refused and empty values treated as absent.
 *
 * @module
 */
import { OAuthError } from "../errors.js";

/** Options of {@link parseFormBody}. */
export interface FormParsingOptions {
  /** Largest body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Parameters that may appear more than once (e.g. RFC 8707 `resource`). */
  multiValued?: readonly string[];
  /**
   * What a repeated single-valued parameter does: `reject` (default) throws `invalid_request`;
   * `collect` lists it in `repeated` for the caller to judge (the authorization endpoint redirects
   * some of these errors and not others).
   */
  repeatedParameters?: "reject" | "collect";
}

/**
 * Parsed request parameters. Single-valued parameters are in `get`; multi-valued ones (only those
 * named in `multiValued`) are in `getAll`.
 */
export interface RequestParameters {
  /** The value of a single-valued parameter, or `undefined` when absent or empty. */
  get(name: string): string | undefined;
  /** Every value of a multi-valued parameter (empty values dropped). */
  getAll(name: string): string[];
  /** Names whose single value appeared more than once (each an `invalid_request`). */
  readonly repeated: readonly string[];
}

/** The default cap on request bodies: 64 KiB, far above any legitimate OAuth request. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const decoder = new TextDecoder("utf-8", { fatal: true });

function decodeComponent(raw: string): string {
  // `+` is a space in application/x-www-form-urlencoded (WHATWG URL §5.1); the fast path skips
  // decoding for the common case of plain token characters.
  if (!raw.includes("%") && !raw.includes("+")) return raw;
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    // Malformed percent-encoding and percent-encoded invalid UTF-8 both land here.
    throw new OAuthError("invalid_request", "The request contains malformed percent-encoding.");
  }
}

/**
 * Parses `application/x-www-form-urlencoded` text (a body or a query string without `?`).
 * Empty values count as absent (RFC 6749 §3.1); a parameter repeated is recorded in `repeated`
 * unless it is multi-valued, so the caller decides whether that error may be redirected.
 *
 * @throws {OAuthError} `invalid_request` on malformed percent-encoding.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function parseParameters(text: string, multiValued: readonly string[] = []): RequestParameters {
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  const repeated: string[] = [];
  if (text.length > 0) {
    for (const pair of text.split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? "" : decodeComponent(pair.slice(eq + 1));
      if (multiValued.includes(name)) {
        if (value === "") continue;
        const values = multi.get(name);
        if (values) values.push(value);
        else multi.set(name, [value]);
        continue;
      }
      if (single.has(name)) {
        if (!repeated.includes(name)) repeated.push(name);
        continue;
      }
      single.set(name, value);
    }
  }
  return {
    get: (name) => {
      const value = single.get(name);
      return value === "" ? undefined : value;
    },
    getAll: (name) => multi.get(name) ?? [],
    repeated,
  };
}

/**
 * Throws `invalid_request` if any single-valued parameter was repeated (RFC 6749 §3.1, §3.2:
 * "Request and response parameters MUST NOT be included more than once").
 */
export function assertNoRepeatedParameters(params: RequestParameters): void {
  const [first] = params.repeated;
  if (first !== undefined) {
    throw new OAuthError("invalid_request", `The "${first}" parameter is included more than once.`);
  }
}

/**
 * Reads and parses a form-encoded POST body strictly: POST only (405 otherwise), content type
 * `application/x-www-form-urlencoded` (a `charset` other than UTF-8 is refused), a body cap
 * (413), valid UTF-8, well-formed percent-encoding, and no repeated parameters.
 *
 * @throws {OAuthError} `invalid_request` with status 400, 405 or 413.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export async function parseFormBody(request: Request, options: FormParsingOptions = {}): Promise<RequestParameters> {
  if (request.method !== "POST") {
    throw new OAuthError("invalid_request", "This endpoint accepts only POST requests.", {
      status: 405,
      headers: { Allow: "POST" },
    });
  }
  assertFormContentType(request.headers.get("content-type"));
  const text = await readBodyText(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const params = parseParameters(text, options.multiValued);
  if (options.repeatedParameters !== "collect") assertNoRepeatedParameters(params);
  return params;
}

/**
 * Throws `invalid_request` unless the content type is `application/x-www-form-urlencoded` (in
 * UTF-8, or without a charset).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function assertFormContentType(contentType: string | null | undefined): void {
  if (contentType === FORM_CONTENT_TYPE) return; // what nearly every client sends
  const [mediaType = "", ...attributes] = (contentType ?? "").split(";");
  if (mediaType.trim().toLowerCase() !== FORM_CONTENT_TYPE) {
    throw new OAuthError("invalid_request", `The request body must be ${FORM_CONTENT_TYPE}.`);
  }
  for (const attribute of attributes) {
    const [key = "", value = ""] = attribute.split("=");
    const charset = value.trim().replace(/^"|"$/g, "").toLowerCase();
    if (key.trim().toLowerCase() === "charset" && charset !== "utf-8" && charset !== "utf8") {
      throw new OAuthError("invalid_request", "The request body must be encoded in UTF-8.");
    }
  }
}

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

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
