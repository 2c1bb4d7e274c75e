export { createSupabaseStorage, type SupabaseStorage, type SupabaseStorageOptions } from "./storage.js";
export { SupabaseStorageError } from "./errors.js";
export type { SupabaseClientLike } from "./client.js";
