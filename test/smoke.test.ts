import { expect, it } from "vitest";
import { createTestServer, exchangeCode, obtainCode, registerClient } from "./support/fixtures.js";

it("smoke", async () => {
  const { server, storage } = createTestServer();
  const client = await registerClient(storage);
  const code = await obtainCode(server, client);
  const res = await exchangeCode(server, client, code);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const v = await server.validateBearerToken(new Request("https://api.example.com/mcp", { headers: { Authorization: `Bearer ${body.access_token}` } }));
  expect(v).not.toBeInstanceOf(Response);
});
