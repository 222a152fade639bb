export * from "./errors.js";
export * from "./crypto.js";
export type * from "./storage/types.js";
export * from "./storage/memory.js";
