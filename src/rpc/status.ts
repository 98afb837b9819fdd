import { Status } from './pb/rpc.ts'

/** The stable kebab-case code for a wire status, as the API and CLI report it. */
export function statusCode (status: Status): string {
  return String(status).toLowerCase().replaceAll('_', '-')
}
