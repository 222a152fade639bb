/**
 * Test-only inspection of what the Redis store holds, over one or several plain clients (one per
 * node of a cluster: SCAN sees only the node it is sent to).
 */
import type { createClient } from "redis";
import { redisKeySuffix } from "../../src/storage/redis/index.js";

type Client = ReturnType<typeof createClient>;

/** Every key of `nodes` matching `pattern`, with its type. */
async function* keysOf(nodes: readonly Client[], pattern: string): AsyncGenerator<{ client: Client; key: string; type: string }> {
  for (const client of nodes) {
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      for (const key of keys) yield { client, key, type: await client.type(key) };
    }
  }
}

/** Every key under `prefix` with its value (members of sets and sorted sets too), one line each. */
export async function dumpPrefix(nodes: readonly Client[], prefix: string): Promise<string> {
  const lines: string[] = [];
  for await (const { client, key, type } of keysOf(nodes, `${prefix}*`)) {
    const value =
      type === "string" ? await client.get(key)
      : type === "hash" ? JSON.stringify(await client.hGetAll(key))
      : type === "set" ? JSON.stringify(await client.sMembers(key))
      : type === "zset" ? JSON.stringify(await client.zRange(key, 0, -1))
      : `(${type})`;
    lines.push(`${key} ${value}`);
  }
  return lines.join("\n");
}

/**
 * The records the store holds for a grant: its own keys (grant, tombstone, tokens and family carry
 * its slot-tagged id or name it), and its entries in the indexes (sorted-set members that start
 * with its id).
 */
export async function countGrantKeys(nodes: readonly Client[], prefix: string, grantId: string): Promise<number> {
  let count = 0;
  for await (const { client, key, type } of keysOf(nodes, `${prefix}*`)) {
    if (type === "zset") {
      count += (await client.zRange(key, 0, -1)).filter((member) => member === grantId || member.startsWith(`${grantId} `)).length;
      continue;
    }
    const related =
      key.includes(redisKeySuffix(grantId)) ||
      (type === "string" && (await client.get(key)) === grantId) ||
      (type === "hash" && (await client.hGet(key, "g")) === grantId);
    if (related) count += type === "set" ? await client.sCard(key) : 1;
  }
  return count;
}
