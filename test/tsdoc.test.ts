/**
 * Every public export is documented: a TSDoc summary on every export, and an `@see` link to the
 * specification section on every exported function and class (the house style, after oauth4webapi).
 */
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const entries = ["src/index.ts", "src/testing/index.ts", "src/storage/redis/index.ts", "src/storage/postgres/index.ts", "src/storage/sqlite/index.ts", "src/node/index.ts"];

function publicExports(entry: string) {
  const program = ts.createProgram([join(root, entry)], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, noEmit: true });
  const source = program.getSourceFile(join(root, entry));
  // An entry that cannot be read is a failure, not a skip: the check would silently stop covering it.
  if (source === undefined) throw new Error(`${entry}: not found`);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry}: not a module`);
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    const callable = declaration !== undefined && (ts.isFunctionDeclaration(declaration) || ts.isClassDeclaration(declaration) || (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))));
    const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker));
    const tags = symbol.getJsDocTags(checker).map((tag) => tag.name);
    return { name: exported.getName(), callable, docs, tags };
  });
}

describe("TSDoc on public exports", () => {
  for (const entry of entries) {
    const exports = publicExports(entry);
    describe(entry, () => {
      it("resolves and exports something", () => {
        expect(exports.length).toBeGreaterThan(0);
      });
      it.each(exports.map((e) => [e.name, e] as const))("%s has a summary, and an @see if callable", (_name, exported) => {
        expect(exported.docs.trim().length).toBeGreaterThan(0);
        if (exported.callable) expect(exported.tags).toContain("see");
      });
    });
  }
});
