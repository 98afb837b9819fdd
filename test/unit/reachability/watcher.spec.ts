/** The reachability watcher: connections are judged as they open, the periodic check reads only our own addresses. */
import { expect } from 'chai'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from '@libp2p/interface'
import { ModeState } from '../../../src/reachability/modes.ts'
import { ReachabilityWatcher } from '../../../src/reachability/watcher.ts'
import type { ReachabilityComponents } from '../../../src/reachability/watcher.ts'
import type { AddressInfo } from '../../../src/reachability/reachability.ts'
import type { Connection, Libp2pEvents } from '@libp2p/interface'

const lan: AddressInfo[] = [{ multiaddr: multiaddr('/ip4/192.168.1.2/tcp/4001'), verified: true, type: 'transport' }]
const connection = (text: string): Connection => ({ remoteAddr: multiaddr(text) }) as unknown as Connection

function watched (open: Connection[]): { watcher: ReachabilityWatcher, state: ModeState, events: TypedEventEmitter<Libp2pEvents>, scans: () => number, addressReads: () => number } {
  let scans = 0
  let addressReads = 0
  const events = new TypedEventEmitter<Libp2pEvents>()
  const components = {
    addressManager: { getAddressesWithMetadata: () => { addressReads++; return lan } },
    connectionManager: { getConnections: () => { scans++; return open } },
    events
  } as unknown as ReachabilityComponents
  const state = new ModeState('auto')
  return { watcher: new ReachabilityWatcher(components, state), state, events, scans: () => scans, addressReads: () => addressReads }
}

describe('unit: ReachabilityWatcher', () => {
  it('a connection from the internet latches onInternet when it opens; the periodic check never scans the connections', () => {
    const { watcher, state, events, scans } = watched([connection('/ip4/127.0.0.1/tcp/1')])
    watcher.start()
    try {
      watcher.afterStart()
      expect(scans()).to.equal(1)
      expect(state.onInternet).to.equal(false)
      for (let i = 0; i < 100; i++) watcher.check()
      events.safeDispatchEvent('self:peer:update', { detail: {} as any })
      expect(scans()).to.equal(1)
      events.safeDispatchEvent('connection:open', { detail: connection('/ip4/10.0.0.7/tcp/4001') })
      expect(state.onInternet).to.equal(false)
      events.safeDispatchEvent('connection:open', { detail: connection('/ip4/21.0.0.2/tcp/4001') })
      expect(state.onInternet).to.equal(true)
      // on the internet with no verified address of its own: a client (ModeState's rule)
      expect(state.mode).to.equal('client')
      expect(scans()).to.equal(1)
    } finally {
      watcher.stop()
    }
  })

  it('a connection from a private address re-judges nothing (no read of our addresses); one from the internet does', () => {
    const { watcher, events, addressReads } = watched([])
    watcher.start()
    try {
      const before = addressReads()
      for (let i = 0; i < 10; i++) events.safeDispatchEvent('connection:open', { detail: connection(`/ip4/127.0.0.1/tcp/${4000 + i}`) })
      events.safeDispatchEvent('connection:open', { detail: connection('/ip4/10.0.0.7/tcp/4001') })
      expect(addressReads()).to.equal(before)
      events.safeDispatchEvent('connection:open', { detail: connection('/ip4/21.0.0.2/tcp/4001') })
      expect(addressReads()).to.equal(before + 1)
    } finally {
      watcher.stop()
    }
  })

  it('a connection from the internet already open at start counts', () => {
    const { watcher, state } = watched([connection('/ip4/21.0.0.2/tcp/4001')])
    watcher.start()
    try {
      watcher.afterStart()
      expect(state.onInternet).to.equal(true)
    } finally {
      watcher.stop()
    }
  })
})
