/**
 * The files part of the daemon's HTTP API, for the CLI: bodies stream both
 * ways (a file is never held whole on this side either). Errors are the
 * ApiError / DaemonNotRunningError of src/api/client.ts.
 */
import { DaemonNotRunningError, replyError } from '../api/client.ts'
import { ToyrrentError } from '../errors.ts'
import type { AddFileResponse } from '../api/routes/files.ts'
import type { PutResponse } from '../api/types.ts'
import type { ListEntry } from './files.ts'
import type { PinEntry, PinRecord } from './pins.ts'

export interface ListResponse { cid: string, type: 'directory', entries: ListEntry[] }
export interface ImportResponse { roots: string[], blocks: number, bytes: number }

export class FilesClient {
  readonly address: string
  private readonly base: string

  constructor (address: string) {
    this.address = address
    this.base = `http://${address}`
  }

  /** Stream `body` to POST /v1/files. */
  async add (body: AsyncIterable<Uint8Array>, options: { name?: string, signal?: AbortSignal } = {}): Promise<AddFileResponse> {
    const query = options.name == null ? '' : `?name=${encodeURIComponent(options.name)}`
    return await (await this.request('POST', `/v1/files${query}`, { body, signal: options.signal, headers: { 'Content-Type': 'application/octet-stream' } })).json() as AddFileResponse
  }

  /** Stream a CAR to POST /v1/files?format=car. */
  async importCar (body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<ImportResponse> {
    return await (await this.request('POST', '/v1/files?format=car', { body, signal, headers: { 'Content-Type': 'application/vnd.ipld.car' } })).json() as ImportResponse
  }

  /** GET /v1/files/:path; the caller reads the body (a file's bytes, or a directory's JSON listing). */
  async get (path: string, options: { from?: number, signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = options.from != null && options.from > 0 ? { Range: `bytes=${options.from}-` } : {}
    return await this.request('GET', `/v1/files/${encodeURIComponent(path)}`, { headers, signal: options.signal })
  }

  async exportCar (cid: string, signal?: AbortSignal): Promise<Response> {
    return await this.request('GET', `/v1/files/${encodeURIComponent(cid)}?format=car`, { signal })
  }

  /** Store one block (at most 64 KiB) as a hash item: POST /v1/items. */
  async putBlock (bytes: Uint8Array, signal?: AbortSignal): Promise<PutResponse> {
    return await (await this.request('POST', '/v1/items', { body: bytes, signal, headers: { 'Content-Type': 'application/octet-stream' } })).json() as PutResponse
  }

  async pins (signal?: AbortSignal): Promise<PinEntry[]> {
    return (await (await this.request('GET', '/v1/pins', { signal })).json() as { pins: PinEntry[] }).pins
  }

  async pinAdd (cid: string, signal?: AbortSignal): Promise<PinRecord> {
    return await (await this.request('POST', `/v1/pins/${encodeURIComponent(cid)}`, { signal })).json() as PinRecord
  }

  async pinRm (cid: string, signal?: AbortSignal): Promise<{ cid: string, unpinned: number }> {
    return await (await this.request('DELETE', `/v1/pins/${encodeURIComponent(cid)}`, { signal })).json() as { cid: string, unpinned: number }
  }

  private async request (method: string, path: string, init: { body?: Uint8Array | AsyncIterable<Uint8Array>, headers?: Record<string, string>, signal?: AbortSignal } = {}): Promise<Response> {
    let res: Response
    try {
      const streamed = init.body != null && !(init.body instanceof Uint8Array)
      res = await fetch(this.base + path, { method, body: init.body as any, headers: init.headers, signal: init.signal, ...(streamed ? { duplex: 'half' } : {}) } as RequestInit)
    } catch (err) {
      throw this.networkError(err)
    }
    if (res.ok) return res
    throw replyError(this.address, res.status, res.statusText, await res.text())
  }

  private networkError (err: unknown): Error {
    const cause = (err as { cause?: { code?: string, message?: string } }).cause
    if (cause?.code === 'ECONNREFUSED') return new DaemonNotRunningError(`no daemon is running at ${this.address} (start one with \`toyrrent daemon\`)`)
    if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') return err as Error
    // an error of the body we were sending (a file that could not be read) is the real reason
    if (cause instanceof ToyrrentError) return cause
    return new ToyrrentError(`cannot reach the daemon at ${this.address}: ${cause?.code ?? cause?.message ?? (err as Error).message}`)
  }
}
