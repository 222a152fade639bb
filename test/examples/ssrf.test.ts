import { describe, expect, it } from "vitest";
import { allowPublicHostsOnly } from "../../examples/mcp-server/ssrf.js";

describe("the reference server's SSRF guard for metadata documents", () => {
  it.each([
    "https://127.0.0.1/c.json",
    "https://10.1.2.3/c.json",
    "https://172.20.0.1/c.json",
    "https://192.168.1.1/c.json",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/c.json",
    "https://0.0.0.0/c.json",
    "https://[::1]/c.json",
    "https://[fe80::1]/c.json",
    "https://[fd00::1]/c.json",
    "https://[::ffff:127.0.0.1]/c.json",
    "https://localhost/c.json",
  ])("refuses %s", async (url) => {
    expect(await allowPublicHostsOnly(new URL(url))).toBe(false);
  });

  it.each(["https://93.184.215.14/c.json", "https://[2606:4700::6810:84e5]/c.json"])("allows the public address %s", async (url) => {
    expect(await allowPublicHostsOnly(new URL(url))).toBe(true);
  });

  it("refuses a host that does not resolve", async () => {
    expect(await allowPublicHostsOnly(new URL("https://does-not-resolve.invalid/c.json"))).toBe(false);
  });
});
