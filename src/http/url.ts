/**
 * `URL.parse` without relying on it: it arrived late in Node 20, and some edge runtimes lack it.
 *
 * @returns the parsed URL, or `null` when `value` is not an absolute URL.
 */
export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
