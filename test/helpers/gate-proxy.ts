/**
 * A TCP proxy on loopback whose answer direction (target → client) can be
 * held: bytes the target sends while held wait in the proxy until release().
 * What the client sends before it hears anything back is what it sends
 * without waiting a round trip — the round-trip count of a protocol step,
 * told without any clock.
 */
import net from 'node:net'

export class GateProxy {
  readonly port: number
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private readonly held: Array<() => void> = []
  private holding = false

  private constructor (server: net.Server, port: number) {
    this.server = server
    this.port = port
  }

  /** Listen on 127.0.0.1 (a free port), forwarding every connection to 127.0.0.1:`targetPort`. */
  static async start (targetPort: number): Promise<GateProxy> {
    let proxy: GateProxy | undefined
    const server = net.createServer(client => { proxy?.accept(client, targetPort) })
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => { resolve() }) })
    proxy = new GateProxy(server, (server.address() as net.AddressInfo).port)
    return proxy
  }

  /** From now on, the target's bytes wait in the proxy. */
  hold (): void { this.holding = true }

  /** Pass on what waited, in order, and stop holding. */
  release (): void {
    this.holding = false
    for (const send of this.held.splice(0)) send()
  }

  async stop (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }

  private accept (client: net.Socket, targetPort: number): void {
    const target = net.connect(targetPort, '127.0.0.1')
    this.sockets.add(client)
    this.sockets.add(target)
    client.on('data', chunk => target.write(chunk))
    target.on('data', chunk => {
      if (this.holding) this.held.push(() => client.write(chunk))
      else client.write(chunk)
    })
    const end = (): void => { client.destroy(); target.destroy(); this.sockets.delete(client); this.sockets.delete(target) }
    client.on('close', end).on('error', end)
    target.on('close', end).on('error', end)
  }
}
