/**
 * Sign-in throttling: failed attempts are counted per username and per client address; after
 * `maxFailures` of them the key is locked, and each further failure (once the lock has run out)
 * doubles the lock, up to `maxDelaySeconds`.
 *
 * In memory, so per process: a deployment with several instances needs a shared limiter (Redis,
 * its proxy's or its identity provider's), or an attacker gets `maxFailures` per instance.
 */
import { timingSafeEqualString } from "oauthkit";

export interface SignInThrottleOptions {
  /** Failures before a key is locked (default 10). */
  maxFailures?: number;
  /** The first lock, in seconds (default 30); it doubles with every further failure. */
  baseDelaySeconds?: number;
  /** The longest lock, in seconds (default 900). */
  maxDelaySeconds?: number;
  /** A key with no failure for this long starts again from zero (default 3600). */
  forgetAfterSeconds?: number;
  /** Keys remembered at most (default 10,000); then the least recently failed one is forgotten. */
  maxKeys?: number;
}

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

/**
 * A username as a throttle key: case and surrounding spaces do not make a new one, and a 64 KiB
 * one is not kept whole.
 */
export const usernameKey = (username: string) => `user:${username.trim().normalize("NFKC").toLowerCase().slice(0, 256)}`;

/**
 * A client address as a throttle key: an IPv6 address counts by its /64 (one subscriber usually
 * holds a whole /64, so counting single addresses would give it 2^64 tries); an IPv4-mapped one
 * as the IPv4 address it is.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().split("%")[0]!.slice(0, 64);
  if (!a.includes(":")) return `address:${a}`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return `address:${mapped[1]}`;
  const [head = "", tail] = a.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `address:${groups.slice(0, 4).map((group) => (parseInt(group, 16) || 0).toString(16)).join(":")}::/64`;
}

/**
 * Creates a sign-in throttle: `retryAfter` before checking a password, `fail` after a wrong one,
 * `reset` after a right one.
 *
 * @param options.now clock in seconds since the epoch.
 * @throws {TypeError} when an option is not a positive integer, naming it.
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 (429 Too Many Requests, Retry-After)
 */
export function createSignInThrottle(options: SignInThrottleOptions & { now: () => number }) {
  const maxFailures = options.maxFailures ?? 10;
  const base = options.baseDelaySeconds ?? 30;
  const max = options.maxDelaySeconds ?? 900;
  const forgetAfter = options.forgetAfterSeconds ?? 3600;
  const maxKeys = options.maxKeys ?? 10_000;
  for (const [name, value] of Object.entries({ maxFailures, baseDelaySeconds: base, maxDelaySeconds: max, forgetAfterSeconds: forgetAfter, maxKeys })) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`signInThrottle.${name} must be a positive integer`);
  }
  const failures = new Map<string, Failures>();

  function live(key: string, now: number): Failures | undefined {
    const entry = failures.get(key);
    if (entry !== undefined && entry.lockedUntil <= now && now - entry.last >= forgetAfter) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  }

  return {
    /** Seconds until these keys may try again; 0 when none of them is locked. */
    retryAfter(keys: readonly string[]): number {
      const now = options.now();
      return Math.max(0, ...keys.map((key) => (live(key, now)?.lockedUntil ?? 0) - now));
    },
    /** Counts a failed attempt against each key. */
    fail(keys: readonly string[]): void {
      const now = options.now();
      for (const key of keys) {
        const entry = live(key, now) ?? { count: 0, last: now, lockedUntil: 0 };
        entry.count += 1;
        entry.last = now;
        if (entry.count >= maxFailures) entry.lockedUntil = now + Math.min(max, base * 2 ** Math.min(entry.count - maxFailures, 30));
        // Re-inserted, so Map order is the order of last failure and the first key the stalest.
        failures.delete(key);
        if (failures.size >= maxKeys) failures.delete(failures.keys().next().value!);
        failures.set(key, entry);
      }
    },
    /** Forgets a key's failures (a successful sign-in for that username). */
    reset(key: string): void {
      failures.delete(key);
    },
  };
}

/** A throttle made by {@link createSignInThrottle}. */
export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

/**
 * Checks a posted sign-in form against the demo account, throttled: both fields compared in
 * constant time, and always both; while a key is locked even the right password is refused
 * (otherwise the lock would not slow a guesser). A success clears the username's count only: an
 * address's failures stay counted whoever signs in from it.
 */
export function checkSignIn(
  throttle: SignInThrottle,
  account: { username: string; password: string },
  form: { get(name: string): string | undefined },
  clientAddress: string | undefined,
): "ok" | "wrong" | { retryAfter: number } {
  const username = form.get("username") ?? "";
  const user = timingSafeEqualString(username, account.username);
  const password = timingSafeEqualString(form.get("password") ?? "", account.password);
  const keys = [usernameKey(username), ...(clientAddress === undefined ? [] : [addressKey(clientAddress)])];
  const retryAfter = throttle.retryAfter(keys);
  if (retryAfter > 0) return { retryAfter };
  if (!(user && password)) {
    throttle.fail(keys);
    return "wrong";
  }
  throttle.reset(usernameKey(username));
  return "ok";
}
