/**
 * The SSRF guard's judges on their own: `isSpecialUseHost` on URLs as the resolver sees them, and
 * `isPublicAddress` on address text as a resolver (or a DNS-resolving allowFetch hook) returns it.
 */
import { describe, expect, it } from "vitest";
import { isSpecialUseHost } from "../../src/clients/special-use-host.js";
import { isPublicAddress } from "../../src/index.js";
import { HOST_FORMS } from "../support/special-use-hosts.js";

const blocked = HOST_FORMS.filter((form) => form.blocked);
const fetched = HOST_FORMS.filter((form) => !form.blocked);
const withAddress = HOST_FORMS.filter((form) => form.address !== undefined);

describe("isSpecialUseHost (RFC 6890 special-purpose addresses, RFC 6761 special-use names)", () => {
  it("has a table of at least 30 host forms, both outcomes", () => {
    expect(HOST_FORMS.length).toBeGreaterThanOrEqual(30);
    expect(blocked.length).toBeGreaterThan(0);
    expect(fetched.length).toBeGreaterThan(0);
  });

  it.each(blocked.map((form) => [form.host, form.why] as const))("blocks https://%s/ — %s", (host) => {
    expect(isSpecialUseHost(new URL(`https://${host}/client.json`))).toBe(true);
  });

  it.each(fetched.map((form) => [form.host, form.why] as const))("lets https://%s/ through — %s", (host) => {
    expect(isSpecialUseHost(new URL(`https://${host}/client.json`))).toBe(false);
  });
});

describe("isPublicAddress (IANA special-purpose registries, IPv4 embedded in IPv6 judged by the IPv4)", () => {
  it.each(withAddress.map((form) => [form.address!, !form.blocked, form.why] as const))("%s is public: %s — %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it("reads every RFC 4291 §2.2 spelling of one address alike", () => {
    for (const spelling of ["2606:4700::6810:84e5", "2606:4700:0:0:0:0:6810:84e5", "2606:4700::6810:84E5", "[2606:4700::6810:84e5]", "2606:4700::104.16.132.229"]) {
      expect(isPublicAddress(spelling), spelling).toBe(true);
    }
    for (const spelling of ["::ffff:127.0.0.1", "0:0:0:0:0:ffff:7f00:1", "::FFFF:7F00:1", "[::ffff:7f00:1]", "0000:0000:0000:0000:0000:ffff:127.0.0.1"]) {
      expect(isPublicAddress(spelling), spelling).toBe(false);
    }
  });

  it("refuses an address with a zone id, even a global one (RFC 6874: scoped to one link)", () => {
    expect(isPublicAddress("fe80::1%eth0")).toBe(false);
    expect(isPublicAddress("2606:4700::6810:84e5%1")).toBe(false);
    expect(isPublicAddress("[2606:4700::6810:84e5%25eth0]")).toBe(false);
  });

  it("fails closed on text that is not a dotted-decimal IPv4 or RFC 4291 IPv6 address", () => {
    for (const text of ["", "example.com", "1.2.3", "256.1.1.1", "8.8.8.8.", "010.8.8.8", "0x8.8.8.8", "134744072", "1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8:9", "12345::1", "::ffff:8.8.8", "::ffff:8.8.8.8:1", "g::1", "[8.8.8.8"]) {
      expect(isPublicAddress(text), JSON.stringify(text)).toBe(false);
    }
  });

  it("judges the Teredo client by its inverted IPv4 and the server by its plain one (RFC 4380 §4)", () => {
    // Client 8.8.8.8 is stored inverted as f7f7:f7f7; written plainly it would be 247.247.247.247 (240/4).
    expect(isPublicAddress("2001:0:4136:e378::f7f7:f7f7")).toBe(true);
    expect(isPublicAddress("2001:0:4136:e378::808:808")).toBe(false);
    expect(isPublicAddress("2001:0:c0a8:101::f7f7:f7f7")).toBe(false); // server 192.168.1.1
  });

  it("refuses all of the local-use NAT64 prefix 64:ff9b:1::/48, whatever the layout (RFC 8215)", () => {
    for (const address of ["64:ff9b:1::8.8.8.8", "64:ff9b:1:808:8:800::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    // Only the well-known prefix is decoded, and only as /96 with zero bits 32-96 (RFC 6052 §2.1).
    expect(isPublicAddress("64:ff9b::8.8.8.8")).toBe(true);
    expect(isPublicAddress("64:ff9b:0:1::8.8.8.8")).toBe(false);
  });

  it("takes only 2000::/3 as global unicast, outside the decoded IPv4 forms", () => {
    expect(isPublicAddress("2000::1")).toBe(true);
    expect(isPublicAddress("3ffe:ffff::1")).toBe(true);
    expect(isPublicAddress("4000::1")).toBe(false);
    expect(isPublicAddress("1fff:ffff::1")).toBe(false);
    expect(isPublicAddress("5f00::1")).toBe(false);
  });
});
