/**
 * Reading JSON request bodies strictly (registration endpoints, RFC 7591 §3.1).
 *
 * @module
 */
import { type OAuthErrorCode, OAuthError } from "../errors.js";
import { readBodyText } from "./body.js";

/** Options of {@link parseJsonBody}. */
export interface JsonParsingOptions {
  /** Largest body accepted, in bytes. */
  maxBodyBytes: number;
  /** The error code every failure is reported with (e.g. `invalid_client_metadata`). */
  errorCode: OAuthErrorCode;
}

/**
 * Reads a JSON body: `Content-Type: application/json` (a UTF-8 `charset` tolerated), a size cap,
 * valid UTF-8 and valid JSON. Every failure is a 400 with `errorCode` (413 for size), never a 500.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 */
export async function parseJsonBody(request: Request, options: JsonParsingOptions): Promise<unknown> {
  const fail = (description: string, status = 400) => new OAuthError(options.errorCode, description, { status });
  const [mediaType = ""] = (request.headers.get("content-type") ?? "").split(";");
  if (mediaType.trim().toLowerCase() !== "application/json") throw fail("The request body must be application/json.");
  let text: string;
  try {
    text = await readBodyText(request, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof OAuthError) throw fail(error.description, error.status);
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw fail("The request body is not valid JSON.");
  }
}
