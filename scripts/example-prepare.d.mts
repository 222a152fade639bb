/** Types of example-prepare.mjs for the tests (test/quickstart-packages.test.ts). */
export declare function quickstartPackages(options?: { hasNodeSqlite?: boolean }): string[];
