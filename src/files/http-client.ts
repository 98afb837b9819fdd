/**
 * The files part of the daemon's HTTP API, for the CLI: bodies stream both
 * ways (a file is never held whole on this side either). Over node:http
 * (src/api/http-request.ts), as the daemon client: fetch would load undici,
 * which costs more start-up time than the rest of a command. Errors are the
 * ApiError / DaemonNotRunningError of src/api/client.ts.
 */
import { DaemonNotRunningError, replyError } from '../api/client.ts'
import { sendRequest } from '../api/http-request.ts'
import { ToyrrentError } from '../errors.ts'
import { multipartBody } from './multipart-body.ts'
import type { HttpReply } from '../api/http-request.ts'
import type { AddFileResponse } from '../api/routes/files.ts'
import type { ListEntry } from './files.ts'
import type { UploadEntry } from './multipart-body.ts'
import type { PinEntry, PinRecord } from './pins.ts'

export type { HttpReply }
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

  /** Stream a directory (entries with relative paths) to POST /v1/files as multipart/form-data: one directory CID. */
  async addDirectory (entries: Iterable<UploadEntry> | AsyncIterable<UploadEntry>, options: { name?: string, signal?: AbortSignal } = {}): Promise<AddFileResponse> {
    const query = options.name == null ? '' : `?name=${encodeURIComponent(options.name)}`
    const { contentType, body } = multipartBody(entries)
    return await (await this.request('POST', `/v1/files${query}`, { body, signal: options.signal, headers: { 'Content-Type': contentType } })).json() as AddFileResponse
  }

  /** Stream a CAR to POST /v1/files?format=car. */
  async importCar (body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<ImportResponse> {
    return await (await this.request('POST', '/v1/files?format=car', { body, signal, headers: { 'Content-Type': 'application/vnd.ipld.car' } })).json() as ImportResponse
  }

  /** GET /v1/files/:path; the caller reads the body (a file's bytes, or a directory's JSON listing). */
  async get (path: string, options: { from?: number, signal?: AbortSignal } = {}): Promise<HttpReply> {
    const headers: Record<string, string> = options.from != null && options.from > 0 ? { Range: `bytes=${options.from}-` } : {}
    return await this.request('GET', `/v1/files/${encodeURIComponent(path)}`, { headers, signal: options.signal })
  }

  async exportCar (cid: string, signal?: AbortSignal): Promise<HttpReply> {
    return await this.request('GET', `/v1/files/${encodeURIComponent(cid)}?format=car`, { signal })
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

  private async request (method: string, path: string, init: { body?: Uint8Array | AsyncIterable<Uint8Array>, headers?: Record<string, string>, signal?: AbortSignal } = {}): Promise<HttpReply> {
    let res: HttpReply
    try {
      res = await sendRequest(this.base + path, { method, body: init.body, headers: init.headers, signal: init.signal })
    } catch (err) {
      throw this.networkError(err)
    }
    if (res.ok) return res
    throw replyError(this.address, res.status, res.statusText, await res.text())
  }

  private networkError (err: unknown): Error {
    // an error of the body we were sending (a file that could not be read) is the real reason
    if (err instanceof ToyrrentError) return err
    const code = (err as { code?: string }).code
    if (code === 'ECONNREFUSED') return new DaemonNotRunningError(`no daemon is running at ${this.address} (start one with \`toyrrent daemon\`)`)
    if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') return err as Error
    return new ToyrrentError(`cannot reach the daemon at ${this.address}: ${code ?? (err as Error).message}`)
  }
}
