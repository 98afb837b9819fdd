/**
 * createToyrrentNode: the whole stack the daemon runs — TCP, Noise, Yamux,
 * identify, ping and the toyrrent service, whose routing table is the node's
 * only one (it also answers libp2p's peer routing) — with LevelDB under the
 * data directory, or everything in memory when there is none.
 *
 * A node heals its bootstrap: while its routing table is empty, or holds
 * fewer peers than its bootstrap list names, it dials the bootstrap
 * addresses and its remembered peers again with capped exponential back-off
 * (node/bootstrap-healer.ts); the parts of the node live in src/node/. `connect()` adds a peer to a running node.
 */
import { createLibp2p } from 'libp2p'
import { LevelDatastore } from 'datastore-level'
import { Registry } from 'prom-client'
import { logger } from '@libp2p/logger'
import { planNode } from './node/plan.ts'
import { libp2pOptions } from './node/libp2p-options.ts'
import { loadOptionalModules } from './node/optional-modules.ts'
import { openStorage } from './node/storage.ts'
import { BootstrapHealer } from './node/bootstrap-healer.ts'
import { connectTo } from './node/connect.ts'
import { dialDiscovered, rejoin, rememberedPeers } from './node/rejoin.ts'
import { parseDialAddr, parseMultiaddr } from './node/addresses.ts'
import { tableSize } from './node/table.ts'
import { DEFAULT_REMEMBERED_PEERS, DIAL_TIMEOUT_MS, OWN_RECORD_WAIT_MS, RPC_PROTOCOL } from './constants.ts'
import type { NodePlan } from './node/plan.ts'
import type { ToyrrentLibp2p, ToyrrentNode, ToyrrentNodeOptions } from './node/types.ts'
import type { ModeState } from './reachability/modes.ts'
import type { PeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

export type { ToyrrentNodeOptions, BootstrapRetryEvent, ConnectResult, ToyrrentLibp2p, ToyrrentNode } from './node/types.ts'

export async function createToyrrentNode (given: ToyrrentNodeOptions = {}): Promise<ToyrrentNode> {
  const plan = planNode(given)
  const { datastore, privateKey, valueLogDir } = await openStorage(given)
  const options: ToyrrentNodeOptions = { ...given, valueLogDir }
  const registry = options.metrics === true ? new Registry() : undefined
  const optional = await loadOptionalModules(options, plan)
  let made: ToyrrentLibp2p | undefined
  const libp2p: ToyrrentLibp2p = await createLibp2p({
    ...libp2pOptions(options, plan, { datastore, privateKey, registry, optional, tableEmpty: () => made == null || tableSize(made) === 0 }),
    // started below, once we know which peers we remembered before any could connect
    start: false
  })
  // the peers this node knew before it listened: only they can count as rejoined
  const remembered = await rememberedPeers(libp2p, options.protocol ?? RPC_PROTOCOL, Infinity)
  await libp2p.start()
  // identify must not hand anyone the addresses of our last run (own-peer-record.ts); a node that listens nowhere has none
  if (libp2p.getMultiaddrs().length > 0) await libp2p.services.ownPeerRecord.ready(OWN_RECORD_WAIT_MS)
  made = libp2p
  await followModes(libp2p, plan.modes)
  if (options.mdns === true) dialDiscovered(libp2p)
  const protocol = options.protocol ?? RPC_PROTOCOL
  const healer = new BootstrapHealer(libp2p, protocol, options, plan.bootstrapAddrs)
  const node = nodeHandle(libp2p, plan, options, { healer, protocol, registry, datastore })
  try {
    await join(node, plan, healer, remembered, options)
  } catch (err) {
    // a node that could not join is no node: nothing of it keeps running
    await node.stop().catch(() => {})
    throw err
  }
  return node
}

/** Serve the RPC while the mode is server, from now on (a change looks ourselves up, so neighbours admit us). */
async function followModes (libp2p: ToyrrentLibp2p, modes: ModeState): Promise<void> {
  modes.onChange(change => {
    void (async () => {
      await libp2p.services.toyrrent.setServing(change.mode === 'server')
      // a new server looks itself up: its neighbours meet it (and admit it) at once
      if (change.mode === 'server' && tableSize(libp2p) > 0) await libp2p.services.toyrrent.join()
    })().catch((err: Error) => { log('switching to %s mode: %s', change.mode, err.message) })
  })
  // the first judgement may have come while libp2p started, before the listener above
  libp2p.services.reachability.check()
  await libp2p.services.toyrrent.setServing(modes.mode === 'server')
}

interface HandleParts {
  healer: BootstrapHealer
  protocol: string
  registry?: Registry
  datastore: Datastore
}

/** The ToyrrentNode object around a started libp2p node. */
function nodeHandle (libp2p: ToyrrentLibp2p, plan: NodePlan, options: ToyrrentNodeOptions, parts: HandleParts): ToyrrentNode {
  const { healer, protocol, registry, datastore } = parts
  return {
    libp2p,
    toyrrent: libp2p.services.toyrrent,
    rejoined: 0,
    modes: plan.modes,
    quicDisabledBySwarmKey: plan.psk != null && (options.quic ?? true),
    ...(registry == null ? {} : { metrics: async () => registry.metrics() }),
    async bootstrap (addrs, opts = {}) {
      const parsed = addrs.map(parseDialAddr)
      healer.addBootstrap(parsed)
      // healing waits while a bootstrap of its own runs: the table is filling
      return await healer.while(async () => {
        const results = await Promise.allSettled(parsed.map(async a => libp2p.dial(a, { signal: opts.signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS) })))
        const reached = results.filter(r => r.status === 'fulfilled').length
        // the service joins by itself on its first peers; wait for that join (or start one)
        if (reached > 0) await libp2p.services.toyrrent.join({ signal: opts.signal })
        return reached
      })
    },
    async connect (addr, opts = {}) {
      return connectTo(libp2p, protocol, parseMultiaddr(addr, 'peer'), opts.signal)
    },
    async stop () {
      healer.stop()
      await libp2p.stop()
      if (datastore instanceof LevelDatastore) await datastore.close()
    }
  }
}

/** Bootstrap, rejoin remembered peers, then heal from here on. */
async function join (node: ToyrrentNode, plan: NodePlan, healer: BootstrapHealer, remembered: PeerId[], options: ToyrrentNodeOptions): Promise<void> {
  const { bootstrapAddrs } = plan
  if (bootstrapAddrs.length > 0) await node.bootstrap(bootstrapAddrs.map(String))
  node.rejoined = await rejoin(node.libp2p, remembered, options.rememberedPeers ?? DEFAULT_REMEMBERED_PEERS, bootstrapAddrs)
  if (node.rejoined > 0 && bootstrapAddrs.length === 0) {
    // as after a bootstrap: find our neighbours, then take over the items we are now responsible for
    await node.libp2p.services.toyrrent.join().catch(() => {})
  }
  healer.start()
}

const log = logger('toyrrent:node')
