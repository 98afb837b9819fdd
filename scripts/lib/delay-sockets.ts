/**
 * `bench --rtt-ms MS`: a user-space delay in front of every connection and
 * every datagram of this process, the same for all four implementations.
 *
 * Kernel delay (tc netem) is not available here, and a proxy per node would
 * need every implementation to announce the proxy's address instead of its
 * own (each learns addresses differently: identify, UDP source addresses), so
 * the delay sits in the sockets themselves:
 *   - TCP (toyrrent, kad-dht): a client's `connect` fires one RTT late (SYN,
 *     SYN-ACK) and every write and end() leaves RTT/2 late, in order;
 *   - UDP: every datagram leaves RTT/2 late — node:dgram (bittorrent-dht)
 *     and udx-native (hyperdht).
 * Only sockets with a remote address are delayed (not the stdio pipes).
 * A request and its answer then cost one RTT, a new TCP connection one more
 * before its first byte — what a proxy in front of each node would add.
 */
import net from 'node:net'
import dgram from 'node:dgram'
import { createRequire } from 'node:module'

const installed = { rttMs: 0 }

export function socketDelayMs (): number { return installed.rttMs }

export function installSocketDelay (rttMs: number): void {
  if (rttMs <= 0 || installed.rttMs > 0) return
  installed.rttMs = rttMs
  // node processes of `bench --procs` inherit it (scripts/bench-node.ts)
  process.env.BENCH_RTT_MS = String(rttMs)
  const half = rttMs / 2
  const later = (fn: () => void, ms: number): void => { setTimeout(fn, ms) }

  // ---- TCP
  const proto = net.Socket.prototype as any
  const write = proto.write
  const end = proto.end
  const connect = proto.connect
  const emit = proto.emit
  const isNetwork = (s: any): boolean => typeof s.remoteAddress === 'string' || s.__delayConnect === true
  proto.write = function (this: any, chunk: any, encoding?: any, cb?: any): boolean {
    if (!isNetwork(this)) return write.call(this, chunk, encoding, cb)
    later(() => { if (!this.destroyed) write.call(this, chunk, encoding, cb) }, half)
    return true
  }
  proto.end = function (this: any, ...args: any[]): any {
    if (!isNetwork(this)) return end.apply(this, args)
    later(() => { if (!this.destroyed) end.apply(this, args) }, half)
    return this
  }
  proto.connect = function (this: any, ...args: any[]): any {
    this.__delayConnect = true
    return connect.apply(this, args)
  }
  proto.emit = function (this: any, event: string, ...args: any[]): boolean {
    if ((event === 'connect' || event === 'ready') && this.__delayConnect === true) {
      later(() => { if (!this.destroyed) emit.call(this, event, ...args) }, rttMs)
      return true
    }
    return emit.call(this, event, ...args)
  }

  // ---- UDP: node:dgram
  const dproto = dgram.Socket.prototype as any
  const send = dproto.send
  dproto.send = function (this: any, ...args: any[]): void {
    later(() => { try { send.apply(this, args) } catch {} }, half)
  }

  // ---- UDP: udx-native (hyperdht)
  try {
    const require = createRequire(import.meta.url)
    const UDXSocket = require('udx-native/lib/socket.js')
    const uproto = UDXSocket.prototype
    const usend = uproto.send
    const utry = uproto.trySend
    uproto.send = async function (this: any, ...args: any[]): Promise<boolean> {
      await new Promise(resolve => setTimeout(resolve, half))
      return usend.apply(this, args)
    }
    uproto.trySend = function (this: any, ...args: any[]): void {
      // the buffer may be reused by the caller: copy it
      const copy = Buffer.from(args[0])
      later(() => { try { utry.call(this, copy, ...args.slice(1)) } catch {} }, half)
    }
  } catch {}
}
