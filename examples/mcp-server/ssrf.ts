/**
 * An SSRF guard for fetching client ID metadata documents: the host must resolve only to public
 * addresses — never loopback, private, link-local or other special-use ranges, nor IPv6 forms that
 * embed such an IPv4 address (judged by oauthkit's `isPublicAddress`, the same judge the built-in
 * guard applies to IP literals).
 * (A resolver-level check; a deployment that needs to close DNS-rebinding races should also fetch
 * through an egress proxy that enforces the same rule.)
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isPublicAddress } from "oauthkit";

export async function allowPublicHostsOnly(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map(({ address }) => address);
  // Every address, since the fetch may connect to any of them.
  return addresses.length > 0 && addresses.every(isPublicAddress);
}
