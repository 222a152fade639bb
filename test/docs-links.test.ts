/**
 * Every relative link in docs/*.md points at a file that exists (never into src/, which the package
 * does not ship), and every `#anchor` into a markdown page at one of its headings (GitHub's slugs),
 * so guides cannot rot. README.md is also the npm page, where relative links lead nowhere: each of
 * its links is external, or absolute to a file of this version's package (unpkg), checked against
 * what `npm pack` ships.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const pages = [join(root, "README.md"), ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => join(root, "docs", name))];
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
/** Where the README links the package's own files: this version's tarball, as served by unpkg. */
const packageBase = `https://unpkg.com/oauthkit@${version}/`;

/** The links of a markdown page, outside code blocks. */
function links(page: string): string[] {
  const text = readFileSync(page, "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

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
    const broken: string[] = [];
    for (const target of links(page)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:…
      const [path, anchor] = target.split("#");
      const file = path === "" ? page : join(dirname(page), path!);
      if (!existsSync(file)) {
        broken.push(target);
        continue;
      }
      if (anchor !== undefined && file.endsWith(".md") && !slugs(file).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it("docs/ never links into src/ (not in the package; the API reference documents the exports)", () => {
    const intoSrc = pages
      .filter((page) => page.startsWith(join(root, "docs")))
      .flatMap((page) => links(page).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)).map((target) => [relative(root, page), target] as const))
      .filter(([page, target]) => relative(root, join(root, dirname(page), target.split("#")[0]!)).startsWith("src/"));
    expect(intoSrc).toEqual([]);
  });
});

describe("README links on the npm page", () => {
  // The files `npm publish` would ship (package.json "files"), dist/ aside.
  const packed = new Set(
    (JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as [{ files: { path: string }[] }])[0].files.map(
      (file) => file.path,
    ),
  );

  it("ships the docs, the license and the changelog", () => {
    expect(packed).toContain("LICENSE");
    expect(packed).toContain("CHANGELOG.md");
    for (const page of pages) expect(packed, relative(root, page)).toContain(relative(root, page));
  });

  it("are all absolute: external, or this version's packaged files", () => {
    const bad: string[] = [];
    for (const target of links(join(root, "README.md"))) {
      if (target.startsWith(packageBase)) {
        const [path, anchor] = target.slice(packageBase.length).split("#");
        if (!packed.has(path!)) bad.push(`${target} (not in the package)`);
        else if (anchor !== undefined && path!.endsWith(".md") && !slugs(join(root, path!)).has(anchor)) bad.push(`${target} (no such heading)`);
      } else if (target.includes("unpkg.com/oauthkit")) {
        bad.push(`${target} (not ${packageBase}: update the version)`);
      } else if (!/^(https?|mailto):/i.test(target)) {
        bad.push(`${target} (relative: broken on the npm page)`);
      }
    }
    expect(bad).toEqual([]);
  });
});
