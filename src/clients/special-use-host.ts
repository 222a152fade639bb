/**
 * A first SSRF barrier that needs no DNS: hosts written as loopback, private, link-local or other
 * special-use IP literals — including IPv6 forms that embed such an IPv4 address — and names that
 * only local resolvers answer (`localhost`, `.local`, `.internal`…) are never fetched. Names that
 * merely *resolve* to such addresses are the host's `allowFetch` hook to catch (Web APIs have no
 * resolver); {@link isPublicAddress} is the judge such a hook applies to each resolved address.
 *
 * @module
 */
import { parseUrl } from "../http/url.js";

// [base address, prefix length] of the IPv4 ranges that are never a client's public web server
// (the IANA special-purpose registry, RFC 6890; the few anycast services inside 192.0.0/24 are
// refused with the rest, since no document server lives there).
const SPECIAL_USE_V4: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network" (RFC 791)
  [0x0a000000, 8], // 10/8 private (RFC 1918)
  [0x64400000, 10], // 100.64/10 shared address space, carrier-grade NAT (RFC 6598)
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local, where cloud metadata endpoints live (RFC 3927)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments (RFC 6890)
  [0xc0000200, 24], // 192.0.2/24 documentation TEST-NET-1 (RFC 5737)
  [0xc0586300, 24], // 192.88.99/24 the deprecated 6to4 relay anycast (RFC 7526)
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking (RFC 2544)
  [0xc6336400, 24], // 198.51.100/24 documentation TEST-NET-2 (RFC 5737)
  [0xcb007100, 24], // 203.0.113/24 documentation TEST-NET-3 (RFC 5737)
  [0xe0000000, 3], // 224/4 multicast, 240/4 reserved, and 255.255.255.255 broadcast
];

// [high 32 bits, prefix length] of the ranges inside 2000::/3 that are not public servers; outside
// 2000::/3 nothing is global unicast and everything is refused (see isPublicV6).
const SPECIAL_USE_V6: readonly (readonly [number, number])[] = [
  [0x20010db8, 32], // 2001:db8::/32 documentation (RFC 3849)
  [0x20010010, 28], // 2001:10::/28 ORCHID, deprecated and never routed (RFC 4843)
  [0x3fff0000, 20], // 3fff::/20 documentation (RFC 9637)
];

/** The address as a 32-bit number, for strict dotted-decimal text only (what resolvers return). */
function parseV4(text: string): number | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (parts === null) return undefined;
  let value = 0;
  for (const part of parts.slice(1)) {
    // A leading zero means octal to inet_aton but decimal here: refuse rather than guess.
    if ((part.length > 1 && part.startsWith("0")) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** The address as eight 16-bit groups, from any RFC 4291 §2.2 text form (`::`, a dotted tail). */
function parseV6(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (lastColon === -1) return undefined;
  if (text.includes(".", lastColon)) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    head = text.slice(0, text.endsWith("::", lastColon + 1) ? lastColon + 1 : lastColon);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const split = (half: string) => (half === "" ? [] : half.split(":"));
  const left = split(halves[0]!);
  const right = halves.length === 2 ? split(halves[1]!) : [];
  if (![...left, ...right].every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  const written = left.length + right.length + tail.length;
  if (halves.length === 2 ? written > 7 : written !== 8) return undefined;
  const hex = (group: string) => Number.parseInt(group, 16);
  return [...left.map(hex), ...Array<number>(8 - written).fill(0), ...right.map(hex), ...tail];
}

function isPublicV4(value: number): boolean {
  return !SPECIAL_USE_V4.some(([base, bits]) => value >>> (32 - bits) === base >>> (32 - bits));
}

function isPublicV6(groups: readonly number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const low32 = ((g6 << 16) | g7) >>> 0;
  const zero = (...values: number[]) => values.every((value) => value === 0);
  // Forms that carry an IPv4 address are judged by it: a translator, tunnel or dual-stack socket
  // delivers them to that IPv4 host (RFC 4291 §2.5.5, RFC 6052, RFC 3056, RFC 4380).
  if (zero(g0, g1, g2, g3, g4, g5)) return isPublicV4(low32); // ::/96 IPv4-compatible, so :: and ::1 too
  if (zero(g0, g1, g2, g3, g4) && g5 === 0xffff) return isPublicV4(low32); // ::ffff:0:0/96 IPv4-mapped
  if (zero(g0, g1, g2, g3, g5) && g4 === 0xffff) return isPublicV4(low32); // ::ffff:0:0:0/96 IPv4-translated (RFC 2765)
  if (g0 === 0x64 && g1 === 0xff9b && zero(g2, g3, g4, g5)) return isPublicV4(low32); // 64:ff9b::/96 NAT64 (RFC 6052)
  if (g0 === 0x2002) return isPublicV4(((g1 << 16) | g2) >>> 0); // 2002::/16 6to4, IPv4 in bits 16-48 (RFC 3056)
  if (g0 === 0x2001 && g1 === 0) {
    // Teredo (RFC 4380 §4): the server's IPv4 in bits 32-64, the client's in the last 32 bits
    // inverted. The packet goes to the client's address; the server's is judged too, failing closed.
    return isPublicV4(((g2 << 16) | g3) >>> 0) && isPublicV4(~low32 >>> 0);
  }
  // 64:ff9b:1::/48 local-use NAT64 (RFC 8215) falls out here, refused whole: its layout is the
  // operator's choice, so the embedded address cannot be located (failing closed; a network whose
  // DNS64 answers from it must give the fetch another path, e.g. an egress proxy).
  // Outside 2000::/3 nothing is global unicast: ::/8 reserved, 100::/64 discard, fc00::/7 unique
  // local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast (RFC 4291, RFC 4193).
  if (g0 >>> 13 !== 0b001) return false;
  if (g0 === 0x2001 && g1 === 0x0002 && g2 === 0) return false; // 2001:2::/48 benchmarking (RFC 5180)
  const high32 = ((g0 << 16) | g1) >>> 0;
  return !SPECIAL_USE_V6.some(([base, bits]) => high32 >>> (32 - bits) === base >>> (32 - bits));
}

/**
 * Whether an IP address is one a public web server can have: `false` for loopback, private,
 * shared (CGNAT), link-local, site-local, unique-local, multicast, documentation, benchmarking and
 * other special-use addresses, for IPv6 forms that embed such an IPv4 address (IPv4-mapped,
 * -compatible and -translated, NAT64 `64:ff9b::/96`, 6to4, Teredo), for the local-use NAT64 prefix
 * `64:ff9b:1::/48`, for IPv6 outside `2000::/3`, for addresses with a zone id, and for text that is
 * not a dotted-decimal IPv4 or RFC 4291 IPv6 address (fail closed). Brackets are accepted.
 * This is the judge behind the built-in guard; an `allowFetch` hook that resolves DNS applies it to
 * every address a name resolves to.
 *
 * @param address - An IP address as text: `"203.0.113.7"`, `"::ffff:7f00:1"`, `"[2001:db8::1]"`.
 * @example
 * ```ts
 * isPublicAddress("93.184.215.14");         // true
 * isPublicAddress("::ffff:169.254.169.254"); // false: IPv4-mapped link-local
 * isPublicAddress("64:ff9b::a00:1");         // false: NAT64 of 10.0.0.1
 * ```
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 * @see https://www.rfc-editor.org/rfc/rfc6890
 */
export function isPublicAddress(address: string): boolean {
  const text = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  // A zone id scopes the address to one link: never a public server's (RFC 6874).
  if (text.includes("%")) return false;
  const v4 = parseV4(text);
  if (v4 !== undefined) return isPublicV4(v4);
  const v6 = parseV6(text);
  return v6 !== undefined && isPublicV6(v6);
}

// Names only local resolvers answer, or that must never resolve: localhost (RFC 6761 §6.3),
// invalid (§6.4), local (multicast DNS, RFC 6762), home.arpa (RFC 8375), internal (ICANN's
// private-use TLD; metadata.google.internal). test and example are left alone: RFC 6761 §6.2, §6.5
// say applications should not treat them specially.
const LOCAL_NAMES = /(?:^|\.)(?:localhost|invalid|local|home\.arpa|internal)$/;

/**
 * Whether a URL's host is, as written, a special-use address or a name that only a local resolver
 * answers. The WHATWG URL parser has normalised IPv4 literals (`https://2130706433/` is
 * `127.0.0.1`) and IPv6 ones; trailing dots (`localhost.`, `127.1..`) are removed here and the rest
 * normalised again, so that no spelling of a name or address slips past.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6890
 * @see https://www.rfc-editor.org/rfc/rfc6761
 */
export function isSpecialUseHost(url: URL): boolean {
  if (url.hostname.startsWith("[")) return !isPublicAddress(url.hostname);
  const trimmed = url.hostname.replace(/\.+$/, "");
  // Without its trailing dots the host may parse as an IPv4 number (`0x7f.1..` is 127.0.0.1).
  const host = trimmed === url.hostname ? trimmed : parseUrl(`https://${trimmed}/`)?.hostname;
  if (host === undefined || host === "") return true;
  if (parseV4(host) !== undefined) return !isPublicAddress(host);
  // A single label is completed by the resolver's search domains into an internal name
  // (`https://metadata/`), and ICANN allows no dotless public names (RFC 7085).
  return !host.includes(".") || LOCAL_NAMES.test(host.toLowerCase());
}
