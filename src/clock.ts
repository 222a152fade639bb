/**
 * The system clock, in seconds since the Unix epoch: the unit of every time oauthkit stores and
 * compares. Every `now` option defaults to it; tests inject their own.
 *
 * @module
 */

/** The current time in whole seconds since the Unix epoch. */
export function systemNow(): number {
  return Math.floor(Date.now() / 1000);
}
