/**
 * Host forms for the SSRF guard of client ID metadata documents, each as written in a URL and
 * whether it must be blocked or fetched. Shared by the guard's unit test, the resolver test (the
 * public path, with an injected fetch) and the reference server's resolving guard test.
 */
export interface HostForm {
  /** The host as written after `https://` (the URL parser normalises it). */
  host: string;
  blocked: boolean;
  /** What the host is, and why it is blocked or fetched. */
  why: string;
  /** The IP address the host denotes, when it is an IP literal in any spelling. */
  address?: string;
}

const blocked = (host: string, why: string, address?: string): HostForm => ({ host, blocked: true, why, ...(address === undefined ? {} : { address }) });
const fetched = (host: string, why: string, address?: string): HostForm => ({ host, blocked: false, why, ...(address === undefined ? {} : { address }) });

export const HOST_FORMS: readonly HostForm[] = [
  // The forms issue 10 reported as reaching the fetch.
  blocked("localhost.", "localhost with a trailing dot (RFC 6761 §6.3)"),
  blocked("app.localhost.", "a localhost subdomain with a trailing dot (RFC 6761 §6.3)"),
  blocked("localhost%2e", "localhost with a percent-encoded trailing dot"),
  blocked("[::127.0.0.1]", "IPv4-compatible loopback (RFC 4291 §2.5.5.1)", "::127.0.0.1"),
  blocked("[::ffff:0:127.0.0.1]", "IPv4-translated loopback (RFC 2765)", "::ffff:0:127.0.0.1"),
  blocked("[64:ff9b::a9fe:a9fe]", "NAT64 of 169.254.169.254 (RFC 6052)", "64:ff9b::a9fe:a9fe"),
  blocked("[2002:a9fe:a9fe::]", "6to4 of 169.254.169.254 (RFC 3056)", "2002:a9fe:a9fe::"),
  blocked("[fec0::1]", "site-local fec0::/10 (RFC 3879)", "fec0::1"),
  // IPv4 in the spellings the URL parser normalises.
  blocked("2130706433", "127.0.0.1 as one decimal number", "127.0.0.1"),
  blocked("0177.0.0.1", "127.0.0.1 with an octal part", "127.0.0.1"),
  blocked("0x7f.0.0.1", "127.0.0.1 with a hex part", "127.0.0.1"),
  blocked("0x7f000001", "127.0.0.1 as one hex number", "127.0.0.1"),
  blocked("127.1", "127.0.0.1 in short form", "127.0.0.1"),
  blocked("0", "0.0.0.0 as a bare 0", "0.0.0.0"),
  blocked("127.0.0.1.", "loopback with a trailing dot", "127.0.0.1"),
  blocked("0x7f.1..", "short hex loopback with trailing dots (a name to the URL parser)", "127.0.0.1"),
  // IPv4 special-use ranges (IANA IPv4 special-purpose registry).
  blocked("127.0.0.1", "loopback 127/8", "127.0.0.1"),
  blocked("127.255.255.254", "loopback 127/8, its end", "127.255.255.254"),
  blocked("0.0.0.0", "this network 0/8", "0.0.0.0"),
  blocked("10.1.2.3", "private 10/8 (RFC 1918)", "10.1.2.3"),
  blocked("172.16.0.1", "private 172.16/12", "172.16.0.1"),
  blocked("172.31.255.255", "private 172.16/12, its end", "172.31.255.255"),
  blocked("192.168.1.1", "private 192.168/16", "192.168.1.1"),
  blocked("169.254.169.254", "link-local 169.254/16, cloud metadata (RFC 3927)", "169.254.169.254"),
  blocked("100.64.0.1", "shared address space (CGNAT) 100.64/10 (RFC 6598)", "100.64.0.1"),
  blocked("100.127.255.255", "CGNAT 100.64/10, its end", "100.127.255.255"),
  blocked("192.0.0.8", "protocol assignments 192.0.0/24", "192.0.0.8"),
  blocked("192.0.2.1", "documentation TEST-NET-1 (RFC 5737)", "192.0.2.1"),
  blocked("198.51.100.7", "documentation TEST-NET-2 (RFC 5737)", "198.51.100.7"),
  blocked("203.0.113.7", "documentation TEST-NET-3 (RFC 5737)", "203.0.113.7"),
  blocked("198.18.0.1", "benchmarking 198.18/15 (RFC 2544)", "198.18.0.1"),
  blocked("198.19.255.255", "benchmarking 198.18/15, its end", "198.19.255.255"),
  blocked("192.88.99.1", "the deprecated 6to4 relay anycast (RFC 7526)", "192.88.99.1"),
  blocked("224.0.0.1", "multicast 224/4", "224.0.0.1"),
  blocked("240.0.0.1", "reserved 240/4", "240.0.0.1"),
  blocked("255.255.255.255", "limited broadcast", "255.255.255.255"),
  // IPv6, and IPv6 forms that embed an IPv4 address.
  blocked("[::]", "the unspecified address ::/128", "::"),
  blocked("[::1]", "loopback ::1", "::1"),
  blocked("[::ffff:127.0.0.1]", "IPv4-mapped loopback", "::ffff:127.0.0.1"),
  blocked("[::ffff:7f00:1]", "IPv4-mapped loopback in hex", "::ffff:7f00:1"),
  blocked("[::ffff:a9fe:a9fe]", "IPv4-mapped link-local", "::ffff:a9fe:a9fe"),
  blocked("[::ffff:0:a00:1]", "IPv4-translated 10.0.0.1 in hex (RFC 2765)", "::ffff:0:a00:1"),
  blocked("[64:ff9b::10.0.0.1]", "NAT64 of 10.0.0.1, dotted tail (RFC 6052)", "64:ff9b::10.0.0.1"),
  blocked("[64:ff9b:1::808:808]", "local-use NAT64 64:ff9b:1::/48, layout unknown (RFC 8215)", "64:ff9b:1::808:808"),
  blocked("[2002:c0a8:101::1]", "6to4 of 192.168.1.1 (RFC 3056)", "2002:c0a8:101::1"),
  blocked("[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "Teredo, client 192.0.2.45 (the RFC 4380 example)", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
  blocked("[2001:0:4136:e378::5601:5601]", "Teredo, client 169.254.169.254 (RFC 4380 §4)", "2001:0:4136:e378::5601:5601"),
  blocked("[2001:0:a00:1::f7f7:f7f7]", "Teredo, server 10.0.0.1", "2001:0:a00:1::f7f7:f7f7"),
  blocked("[fc00::1]", "unique local fc00::/7 (RFC 4193)", "fc00::1"),
  blocked("[fd12:3456::1]", "unique local fd00::/8", "fd12:3456::1"),
  blocked("[fe80::1]", "link-local fe80::/10", "fe80::1"),
  blocked("[febf::1]", "link-local fe80::/10, its end", "febf::1"),
  blocked("[feff::1]", "site-local fec0::/10, its end", "feff::1"),
  blocked("[ff02::1]", "multicast ff00::/8", "ff02::1"),
  blocked("[2001:db8::1]", "documentation 2001:db8::/32 (RFC 3849)", "2001:db8::1"),
  blocked("[3fff::1]", "documentation 3fff::/20 (RFC 9637)", "3fff::1"),
  blocked("[2001:2::1]", "benchmarking 2001:2::/48 (RFC 5180)", "2001:2::1"),
  blocked("[100::1]", "discard-only 100::/64 (RFC 6666)", "100::1"),
  blocked("[::2:3:4:5:6]", "reserved ::/8, not an IPv4 embedding", "::2:3:4:5:6"),
  // Names only a local resolver answers, in any spelling.
  blocked("localhost", "localhost (RFC 6761 §6.3)"),
  blocked("LocalHost", "localhost in capitals"),
  blocked("app.localhost", "a localhost subdomain (RFC 6761 §6.3)"),
  blocked("printer.local", "multicast DNS .local (RFC 6762)"),
  blocked("printer.local.", "multicast DNS .local with a trailing dot"),
  blocked("metadata.google.internal", "the private-use .internal TLD"),
  blocked("router.home.arpa", "home networks .home.arpa (RFC 8375)"),
  blocked("site.invalid", ".invalid (RFC 6761 §6.4)"),
  blocked("metadata", "a single label, completed by search domains"),
  // Public hosts, in the same spellings: these are fetched.
  fetched("app.example.com", "a public name"),
  fetched("app.example.com.", "a public name with a trailing dot"),
  fetched("app.test", ".test, not special to applications (RFC 6761 §6.2)"),
  fetched("93.184.215.14", "a public IPv4 address", "93.184.215.14"),
  fetched("134744072", "8.8.8.8 as one decimal number", "8.8.8.8"),
  fetched("172.32.0.1", "just past 172.16/12", "172.32.0.1"),
  fetched("100.128.0.1", "just past 100.64/10", "100.128.0.1"),
  fetched("198.20.0.1", "just past 198.18/15", "198.20.0.1"),
  fetched("223.255.255.255", "just below 224/4", "223.255.255.255"),
  fetched("[2606:4700::6810:84e5]", "a public IPv6 address", "2606:4700::6810:84e5"),
  fetched("[::ffff:8.8.8.8]", "IPv4-mapped public address", "::ffff:8.8.8.8"),
  fetched("[::8.8.8.8]", "IPv4-compatible public address", "::8.8.8.8"),
  fetched("[64:ff9b::8.8.8.8]", "NAT64 of a public address", "64:ff9b::8.8.8.8"),
  fetched("[2002:808:808::1]", "6to4 of a public address", "2002:808:808::1"),
  fetched("[2001:0:4136:e378:8000:63bf:f7f7:f7f7]", "Teredo, public server and client 8.8.8.8", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"),
];
