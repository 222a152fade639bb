/**
 * An SSRF guard for fetching client ID metadata documents: the host must resolve only to public
 * addresses — never loopback, private, link-local or other special-use ranges.
 * (A resolver-level check; a deployment that needs to close DNS-rebinding races should also fetch
 * through an egress proxy that enforces the same rule.)
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local (cloud metadata endpoints)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 3], // 224/4 multicast and 240/4 reserved
];

function blockedV4(address: string): boolean {
  const value = address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
  return BLOCKED_V4.some(([base, bits]) => value >>> (32 - bits) === base >>> (32 - bits));
}

function blockedV6(address: string): boolean {
  const a = address.toLowerCase();
  if (a === "::" || a === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return blockedV4(mapped[1]!);
  // IPv4-mapped in hex form, as the URL parser writes it: ::ffff:7f00:1 is 127.0.0.1.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return blockedV4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast
  return /^(f[cd]|fe[89ab]|ff)/.test(a);
}

export async function allowPublicHostsOnly(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  return addresses.length > 0 && addresses.every(({ address, family }) => !(family === 4 ? blockedV4(address) : blockedV6(address)));
}
