/**
 * A second build of oauthkit (OAUTHKIT_BASELINE_DIST: a path to its index.js), measured beside the
 * current one to give before/after ratios of a change from one run:
 *
 *   OAUTHKIT_BASELINE_DIST=/path/to/old/dist/index.js node src/main.js --only floor,oauthkit-baseline,oauthkit
 */
if (!process.env.OAUTHKIT_BASELINE_DIST) throw new Error("Set OAUTHKIT_BASELINE_DIST to the baseline build's dist/index.js");
process.env.OAUTHKIT_DIST = process.env.OAUTHKIT_BASELINE_DIST;
const { createContender: createOauthkit } = await import("./oauthkit.js");

export async function createContender() {
  const contender = await createOauthkit();
  return { ...contender, name: "oauthkit-baseline" };
}
