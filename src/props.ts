/**
 * Sealed grant props: the host data of a grant is encrypted at rest with host-held keys
 * (`props.keys`), so a dump of the store without those keys yields none of it (docs/security.md).
 *
 * @module
 */
import { type Sealer, type SealingKey, createSealer } from "./sealing.js";
import type { GrantProps } from "./storage/types.js";

/** The `props` option: the key ring that seals grant props at rest. */
export interface PropsConfig {
  /**
   * AES-256-GCM keys, newest first: the first seals, every one unseals (rotation: add a new key in
   * front, keep the old ones until every grant sealed with them has expired). The same on every
   * instance, kept out of the store.
   */
  keys: readonly SealingKey[];
}

/** The AAD of a grant's sealed props: bound to its grant, so a copy moved to another grant fails. */
const propsContext = (grantId: string): string => `oauthkit/props/${grantId}`;

/**
 * The sealer of `props.keys`, or `undefined` when no keys are configured.
 *
 * @throws {TypeError} naming `props.keys` when they are malformed.
 */
export function propsSealer(config: PropsConfig | undefined): Sealer | undefined {
  if (config === undefined) return undefined;
  if (typeof config !== "object" || config === null) throw new TypeError("props must be an object { keys: [{ id, key }] }.");
  return createSealer(config.keys, "props.keys");
}

const sealers = new WeakMap<PropsConfig, Sealer | undefined>();

/** {@link propsSealer}, built once per configuration object (bearer validation runs per request). */
export function cachedPropsSealer(config: PropsConfig | undefined): Sealer | undefined {
  if (config === undefined) return undefined;
  if (!sealers.has(config)) sealers.set(config, propsSealer(config));
  return sealers.get(config);
}

/**
 * Seals a grant's props for storage; `undefined` for none (absent or empty).
 *
 * @throws {TypeError} when there are props but no `props.keys`: nothing sensitive is stored in clear.
 */
export async function sealGrantProps(sealer: Sealer | undefined, grantId: string, props: GrantProps | undefined): Promise<string | undefined> {
  if (props === undefined || Object.keys(props).length === 0) return undefined;
  if (sealer === undefined) {
    throw new TypeError("Grant props are sealed at rest: configure props.keys ([{ id, key }], generateToken() makes a key) to attach props to a grant.");
  }
  return sealer.seal(props, propsContext(grantId));
}

/**
 * The props of a record read from the store: its sealed props unsealed, or the clear `props` of a
 * record written before sealing existed.
 *
 * @throws {Error} when sealed props cannot be unsealed (a key removed too early, or a tampered
 *   record): a server fault, answered `500` and reported, never silently empty props.
 */
export async function unsealGrantProps(
  sealer: Sealer | undefined,
  record: { grantId: string; sealedProps?: string; props?: GrantProps },
): Promise<GrantProps | undefined> {
  if (record.sealedProps === undefined) return record.props;
  const props = sealer === undefined ? undefined : await sealer.unseal(record.sealedProps, propsContext(record.grantId));
  if (props === undefined || typeof props !== "object" || props === null) {
    throw new Error("oauthkit: the grant's sealed props could not be unsealed with props.keys (a key removed while grants sealed with it live, or a tampered record).");
  }
  return props as GrantProps;
}
