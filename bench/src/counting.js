/**
 * Counts calls to the storage layer of a contender (oauthkit's store, oidc-provider's adapter,
 * oauth2-server's model): each call would be a round trip on a networked store.
 */
export function createCounter() {
  let calls = 0;
  return {
    /** Wraps the named methods of `target` in place so that each call is counted. */
    instrument(target, methods) {
      for (const name of methods) {
        const original = target[name];
        if (typeof original !== "function") throw new TypeError(`${name} is not a method`);
        target[name] = function counted(...args) {
          calls++;
          return original.apply(this, args);
        };
      }
      return target;
    },
    reset: () => {
      calls = 0;
    },
    total: () => calls,
  };
}
