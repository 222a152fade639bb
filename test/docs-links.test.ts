/**
 * Every relative link in README.md and docs/*.md points at a file that exists, and every
 * `#anchor` into a markdown page at one of its headings (GitHub's slugs), so guides cannot rot.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const pages = [join(root, "README.md"), ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => join(root, "docs", name))];

function slugs(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set(
    [...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      match[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

describe("documentation links", () => {
  it.each(pages.map((page) => [relative(root, page), page] as const))("%s has no broken relative link", (_name, page) => {
    const text = readFileSync(page, "utf8").replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto:…
      const [path, anchor] = target!.split("#");
      const file = path === "" ? page : join(dirname(page), path!);
      if (!existsSync(file)) {
        broken.push(target!);
        continue;
      }
      if (anchor !== undefined && file.endsWith(".md") && !slugs(file).has(anchor)) broken.push(target!);
    }
    expect(broken).toEqual([]);
  });
});
