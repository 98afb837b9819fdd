/** What both sides of a directory upload agree on (kept apart so the CLI does not load the parser). */
import { MAX_LISTING_ENTRIES } from './constants.ts'

/** Most entries (files and directories) one upload may hold: what a listing can show. */
export const MAX_UPLOAD_ENTRIES = MAX_LISTING_ENTRIES
/** Longest relative path, in UTF-8 bytes (Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096
/** Longest name of one path segment, in UTF-8 bytes (what common file systems allow). */
export const MAX_NAME_BYTES = 255

/** The part type that marks a directory (as Kubo's /api/v0/add uses it). */
export const DIRECTORY_TYPE = 'application/x-directory'

export function isMultipart (contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(contentType ?? '')
}
