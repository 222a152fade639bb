/**
 * A first SSRF barrier that needs no DNS: hosts written as loopback, private, link-local or other
 * special-use IP literals, and `localhost` names, are never fetched. Names that merely *resolve*
 * to such addresses are the host's `allowFetch` hook to catch (Web APIs have no resolver).
 *
 * @module
 */

// [base address, prefix length] of the IPv4 ranges that are never a client's public web server.
const SPECIAL_USE_V4: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network" (RFC 791)
  [0x0a000000, 8], // 10/8 private (RFC 1918)
  [0x64400000, 10], // 100.64/10 shared address space (RFC 6598)
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local, where cloud metadata endpoints live (RFC 3927)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments (RFC 6890)
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking (RFC 2544)
  [0xe0000000, 3], // 224/4 multicast and 240/4 reserved
];

function isSpecialUseV4(address: string): boolean {
  const value = address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
  return SPECIAL_USE_V4.some(([base, bits]) => value >>> (32 - bits) === base >>> (32 - bits));
}

function isSpecialUseV6(address: string): boolean {
  if (address === "::" || address === "::1") return true;
  // IPv4-mapped (::ffff:a.b.c.d), which the URL parser writes in hex: ::ffff:7f00:1 is 127.0.0.1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped !== null) {
    const high = Number.parseInt(mapped[1]!, 16);
    const low = Number.parseInt(mapped[2]!, 16);
    return isSpecialUseV4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast (RFC 4291, RFC 4193).
  return /^(f[cd]|fe[89ab]|ff)/.test(address);
}

/**
 * Whether a URL's host is, as written, a special-use address or a `localhost` name. The WHATWG URL
 * parser has already normalised IPv4 literals (`https://2130706433/` is `127.0.0.1`) and IPv6 ones.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6890
 */
export function isSpecialUseHost(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true; // RFC 6761 §6.3
  if (host.startsWith("[")) return isSpecialUseV6(host.slice(1, -1));
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) && isSpecialUseV4(host);
}
