/**
 * Serving the RPC protocol: the server (the inbound queue in front of the
 * handler table of rpc/handlers), wired to the node's store, placement and
 * repair, and whether this node answers the protocol at all (a server) or
 * only asks (a client, see Toyrrent.setServing).
 */
import { RpcServer } from '../rpc/server.ts'
import { handlerTable } from '../rpc/handlers/index.ts'
import { sharedDigest, sharedItems } from './shared-set.ts'
import { MAX_RPC_STREAMS } from '../constants.ts'
import type { InboundQueue } from '../rpc/inbound-queue.ts'
import type { AckSigner, CasAcceptor, FindRouter, ForwardFetcher, ForwardStorer } from '../rpc/handlers/index.ts'
import type { ItemStore } from '../store/item-store.ts'
import type { ItemAcceptor } from '../store/accept.ts'
import type { PaxosState } from '../store/paxos-state.ts'
import type { ToyrrentMetrics } from '../metrics.ts'
import type { Neighbourhood } from './neighbourhood.ts'
import type { Placement } from './placement.ts'
import type { Repairer } from './repair.ts'
import type { Settings } from './options.ts'
import type { ToyrrentComponents } from './types.ts'
import type { PeerId } from '@libp2p/interface'

export interface RpcServingInit {
  components: Pick<ToyrrentComponents, 'peerId' | 'registrar' | 'logger'>
  settings: Settings
  inbound: InboundQueue
  metrics: ToyrrentMetrics
  store: ItemStore
  acceptor: ItemAcceptor
  neighbourhood: Neighbourhood
  placement: Placement
  repairer: Repairer
  paxos: PaxosState
  cas: CasAcceptor
  /** Serving forwarded reads (FORWARD, rpc/handlers/forward.ts). */
  forward?: ForwardFetcher
  /** Passing routed finds on (FIND_BEFORE_N with `route`, rpc/handlers/find-routed.ts). */
  route?: FindRouter
  /** Signing store acknowledgements and serving forwarded puts (FORWARD_STORE, rpc/handlers/forward-store.ts). */
  signAck?: AckSigner
  forwardStore?: ForwardStorer
  /** A peer sent us a DIGEST (it runs repair with us). */
  heardFrom?(peer: PeerId): void
  /** A peer announced its own graceful leave (LEAVE); without it LEAVE is answered UNKNOWN_TYPE. */
  onLeave?(peer: PeerId): void
}

export class RpcServing {
  readonly server: RpcServer
  private readonly init: RpcServingInit
  private serving: boolean

  constructor (init: RpcServingInit) {
    this.init = init
    this.serving = init.settings.serve
    this.server = createServer(init)
  }

  /** True while this node answers the RPC protocol (a server), false for a client. */
  isServing (): boolean { return this.serving }

  /** Start the server, and answer the protocol when this node serves. */
  async start (): Promise<void> {
    this.server.start()
    if (this.serving) await this.handle()
  }

  /** Abort the inbound requests queued and running, and reset the streams. */
  stopServer (): void {
    this.server.stop()
  }

  /** Stop answering the protocol (after stopServer). */
  async unhandle (): Promise<void> {
    if (this.serving) await this.init.components.registrar.unhandle(this.init.settings.protocol)
  }

  /** Become a server or a client; libp2p hears of it only while the service runs. */
  async setServing (serve: boolean, started: boolean): Promise<void> {
    if (serve === this.serving) return
    this.serving = serve
    if (!started) return
    if (serve) {
      await this.handle()
      return
    }
    await this.init.components.registrar.unhandle(this.init.settings.protocol)
    // nor on the streams peers opened while we served: an answer there puts us back in the asker's table
    // (after its identify dropped us); their requests fail instead, and they drop us for that too
    this.server.stop()
    this.server.start()
  }

  private async handle (): Promise<void> {
    // runOnLimitedConnection: relayed connections carry the small requests, one per stream (rpc/limited-inbound.ts)
    await this.init.components.registrar.handle(this.init.settings.protocol, this.server.onStream, { maxInboundStreams: MAX_RPC_STREAMS, maxOutboundStreams: MAX_RPC_STREAMS, runOnLimitedConnection: true })
  }
}

/** The RPC server: the inbound queue in front of the handler table (rpc/handlers). */
function createServer (init: RpcServingInit): RpcServer {
  const { settings: s, placement, repairer, metrics, paxos } = init
  const selfKey = init.components.peerId.toString()
  return new RpcServer({
    queue: init.inbound,
    metrics,
    frameTimeout: s.frameTimeout,
    idleTimeout: s.idleTimeout,
    log: init.components.logger.forComponent('toyrrent:rpc:server'),
    handlerTimeout: s.requestTimeout,
    handlers: handlerTable({
      store: init.store,
      acceptor: init.acceptor,
      nearest: init.neighbourhood,
      shared: { digestWith: peer => sharedDigest(sharedItems(placement.assignments(), selfKey, peer, s.clock.now())), heardFrom: init.heardFrom },
      handoff: {
        dueFor: (peer, cursor) => placement.dueFor(peer, cursor),
        acknowledged: (peer, keys) => { repairer.recordAcks(peer, keys) },
        served: n => { metrics.count('handoff_items_sent', n) },
        heardFrom: init.heardFrom
      },
      onStored: key => { repairer.touched(key); void paxos.prune(key).catch(() => {}) },
      cas: init.cas,
      forward: init.forward,
      route: init.route,
      signAck: init.signAck,
      forwardStore: init.forwardStore,
      clock: s.clock,
      leave: init.onLeave == null ? undefined : { left: init.onLeave }
    })
  })
}
