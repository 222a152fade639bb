import { isIP } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { allowPublicHostsOnly } from "../../examples/mcp-server/ssrf.js";
import { HOST_FORMS } from "../support/special-use-hosts.js";

// Names whose DNS answers are forged here, to reach the guard's resolved-address path without a
// network: each answer mixes spellings a resolver can return, IPv4-embedding IPv6 forms included.
const ANSWERS: Record<string, { address: string; family: number }[]> = {
  "mapped.example": [{ address: "93.184.215.14", family: 4 }, { address: "::ffff:169.254.169.254", family: 6 }],
  "nat64.example": [{ address: "64:ff9b::a9fe:a9fe", family: 6 }],
  "sixtofour.example": [{ address: "2002:a00:1::1", family: 6 }],
  "teredo.example": [{ address: "2001:0:4136:e378:8000:63bf:3fff:fdd2", family: 6 }],
  "compatible.example": [{ address: "::127.0.0.1", family: 6 }],
  "sitelocal.example": [{ address: "2606:4700::6810:84e5", family: 6 }, { address: "fec0::1", family: 6 }],
  "public.example": [
    { address: "93.184.215.14", family: 4 },
    { address: "2606:4700::6810:84e5", family: 6 },
    { address: "64:ff9b::5db8:d70e", family: 6 },
  ],
};

vi.mock("node:dns/promises", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:dns/promises")>();
  const lookup = (host: string, options: { all: true }) => (host in ANSWERS ? Promise.resolve(ANSWERS[host]) : original.lookup(host, options));
  return { ...original, default: { ...original, lookup }, lookup };
});

describe("the reference server's SSRF guard for metadata documents", () => {
  // IP literals only: they are judged without DNS, so the table's verdicts hold on any network.
  const literals = HOST_FORMS.filter((form) => isIP(new URL(`https://${form.host}/`).hostname.replace(/^\[|\]$/g, "")) !== 0);

  it("judges at least 30 IP literal forms from the shared table", () => {
    expect(literals.length).toBeGreaterThanOrEqual(30);
  });

  it.each(literals.map((form) => [form.host, form.blocked ? "refuses" : "allows", form.why, form.blocked] as const))(
    "https://%s/: %s — %s",
    async (host, _verdict, _why, blocked) => {
      expect(await allowPublicHostsOnly(new URL(`https://${host}/c.json`))).toBe(!blocked);
    },
  );

  it.each(["mapped.example", "nat64.example", "sixtofour.example", "teredo.example", "compatible.example", "sitelocal.example"])(
    "refuses %s, which resolves to a special-use address in an IPv6 form, among others",
    async (host) => {
      expect(await allowPublicHostsOnly(new URL(`https://${host}/c.json`))).toBe(false);
    },
  );

  it("allows a name whose every address is public, NAT64 of a public address included", async () => {
    expect(await allowPublicHostsOnly(new URL("https://public.example/c.json"))).toBe(true);
  });

  it("refuses localhost, which resolves to loopback", async () => {
    expect(await allowPublicHostsOnly(new URL("https://localhost/c.json"))).toBe(false);
  });

  it("refuses a host that does not resolve", async () => {
    expect(await allowPublicHostsOnly(new URL("https://does-not-resolve.invalid/c.json"))).toBe(false);
  });
});
