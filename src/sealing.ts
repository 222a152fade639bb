/**
 * Sealing: authenticated encryption (AES-256-GCM through WebCrypto) of small JSON values with
 * host-held keys — the grant's `props` at rest, and the upstream `state` of federation.
 *
 * A sealed value is `<key id>.<iv>.<ciphertext>` (base64url, URL-safe). The newest key seals;
 * every configured key unseals, chosen by the id in the value, so keys rotate without breaking what
 * is stored. Each value is bound to a context string (additional authenticated data, e.g. the
 * grant id), so a value copied to another grant or used as a state does not unseal.
 *
 * @module
 */
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";

/** One key of a key ring: an id (kept in every value it seals) and 32 random bytes in base64url. */
export interface SealingKey {
  /** Short identifier (letters, digits, `-`, `_`; at most 32), stored in clear with each value. */
  id: string;
  /** base64url of exactly 32 random bytes (`generateToken()` makes one). Never stored by oauthkit. */
  key: string;
}

/** Seals and unseals JSON values with a key ring. */
export interface Sealer {
  /** Encrypts `value` (JSON) with the newest key, bound to `context`. */
  seal(value: unknown, context: string): Promise<string>;
  /**
   * Decrypts a sealed value bound to `context`; `undefined` when it is malformed, tampered with,
   * sealed for another context, or sealed with a key no longer configured.
   */
  unseal(sealed: string, context: string): Promise<unknown>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Checks a key ring (newest first) and returns its sealer.
 *
 * @param keys - The keys, newest first: the first seals, all unseal.
 * @param option - The configuration option they come from, named in every error.
 * @throws {TypeError} naming `option` when the ring is empty, an id is malformed or repeated, or a
 *   key is not base64url of 32 bytes. Messages never quote a key.
 * @example
 * ```ts
 * const sealer = createSealer([{ id: "2026-01", key: generateToken() }], "props.keys");
 * const sealed = await sealer.seal({ upstream: "token" }, "grant-id");
 * ```
 * @see https://www.w3.org/TR/WebCryptoAPI/#aes-gcm
 */
export function createSealer(keys: readonly SealingKey[] | undefined, option: string): Sealer {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TypeError(`${option} must list at least one key ({ id, key }, newest first; generateToken() makes a key).`);
  }
  const raw = new Map<string, Uint8Array>();
  keys.forEach((entry: SealingKey, index) => {
    const name = `${option}[${index}]`;
    if (typeof entry?.id !== "string" || !KEY_ID.test(entry.id)) throw new TypeError(`${name}.id must be 1 to 32 letters, digits, "-" or "_".`);
    if (raw.has(entry.id)) throw new TypeError(`${name}.id repeats the id ${entry.id}.`);
    let bytes: Uint8Array | undefined;
    try {
      if (typeof entry.key === "string" && BASE64URL.test(entry.key)) bytes = decodeBase64urlIgnorePadding(entry.key);
    } catch {
      // a length no base64url encoding has: refused below
    }
    if (bytes === undefined || bytes.length !== 32) throw new TypeError(`${name}.key must be base64url of 32 random bytes (generateToken() makes one).`);
    raw.set(entry.id, bytes);
  });
  const imported = new Map<string, Promise<CryptoKey>>();
  const cryptoKey = (id: string): Promise<CryptoKey> | undefined => {
    let key = imported.get(id);
    if (key === undefined) {
      const bytes = raw.get(id);
      if (bytes === undefined) return undefined;
      key = crypto.subtle.importKey("raw", bytes as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt", "decrypt"]);
      imported.set(id, key);
    }
    return key;
  };
  const newest = keys[0]!.id;
  return {
    async seal(value, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plaintext = encoder.encode(JSON.stringify(value));
      const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, await cryptoKey(newest)!, plaintext);
      return `${newest}.${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`;
    },
    async unseal(sealed, context) {
      if (typeof sealed !== "string") return undefined;
      const parts = sealed.split(".");
      if (parts.length !== 3) return undefined;
      const [id, iv, ciphertext] = parts as [string, string, string];
      const key = cryptoKey(id);
      if (key === undefined || !BASE64URL.test(iv) || !BASE64URL.test(ciphertext)) return undefined;
      try {
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: decodeBase64urlIgnorePadding(iv) as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(context) },
          await key,
          decodeBase64urlIgnorePadding(ciphertext) as Uint8Array<ArrayBuffer>,
        );
        return JSON.parse(decoder.decode(plaintext)) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
