import { codeOf } from './wire.ts'
import type { Status } from './pb/rpc.ts'

/** The stable kebab-case code for a wire status, as the API and CLI report it. */
export function statusCode (status: Status): string {
  return codeOf(status)
}
