// The API reference (`npm run docs`): one module per public entry of package.json "exports",
// read from there so that a new entry is documented (and checked) as soon as it is exported.
// Each entry's source is the tsup entry that builds it (tsup.config.ts).
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const tsup = readFileSync(new URL("./tsup.config.ts", import.meta.url), "utf8");

const entryPoints = Object.entries(pkg.exports)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([subpath, target]) => {
    const built = /^\.\/dist\/(.+)\.js$/.exec(typeof target === "string" ? target : target.default)?.[1];
    const source = built && new RegExp(`(?:^|\\s)"?${built.replace(/[-/]/g, "\\$&")}"?\\s*:\\s*"(src/[^"]+\\.ts)"`, "m").exec(tsup)?.[1];
    if (!source) throw new Error(`typedoc.config.mjs: no tsup entry builds the export ${subpath}`);
    return source;
  });

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  entryPoints,
  out: ".tmp/api",
  tsconfig: "tsconfig.json",
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  // Every export, and every member of an exported type, must be documented.
  requiredToBeDocumented: ["Enum", "EnumMember", "Variable", "Function", "Class", "Interface", "Property", "Method", "Accessor", "TypeAlias"],
  // No public repository URL to link sources to.
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  readme: "none",
  name: "oauthkit",
};
