/** Reachability from a node's own addresses, the mode state machine, and which addresses a node offers. */
import { expect } from 'chai'
import { multiaddr } from '@multiformats/multiaddr'
import { reachabilityOf, isPublicAddr } from '../../../src/reachability/reachability.ts'
import { ModeState } from '../../../src/reachability/modes.ts'
import { offeredAddrs, quicFirstSorter } from '../../../src/service/addresses.ts'
import type { AddressInfo } from '../../../src/reachability/reachability.ts'

const addr = (text: string, verified: boolean, type = 'transport'): AddressInfo => ({ multiaddr: multiaddr(text), verified, type })

describe('reachability', () => {
  it('counts only internet addresses: private, loopback, link-local, CGNAT and relayed ones never make a node public', () => {
    for (const text of ['/ip4/127.0.0.1/tcp/1', '/ip4/10.1.2.3/tcp/1', '/ip4/192.168.1.2/tcp/1', '/ip4/100.64.0.1/tcp/1', '/ip4/198.18.0.1/tcp/1', '/ip6/::1/tcp/1', '/ip6/fe80::1/tcp/1',
      '/ip4/21.0.0.2/tcp/1/p2p/12D3KooWHGBJij9yAPpziXnRuLRaiTV6sEp1uqzHBvscixjzqqqb/p2p-circuit']) {
      expect(isPublicAddr(multiaddr(text)), text).to.equal(false)
    }
    expect(isPublicAddr(multiaddr('/ip4/21.0.0.2/udp/4001/quic-v1'))).to.equal(true)
    expect(isPublicAddr(multiaddr('/ip6/2001:4860::1/tcp/4001'))).to.equal(true)
  })

  it('is public once an internet address is verified, unknown while one of ours waits, private behind a NAT', () => {
    expect(reachabilityOf([addr('/ip4/21.0.0.2/tcp/4001', false), addr('/ip4/127.0.0.1/tcp/4001', true)])).to.equal('unknown')
    expect(reachabilityOf([addr('/ip4/21.0.0.2/tcp/4001', true), addr('/ip4/127.0.0.1/tcp/4001', true)])).to.equal('public')
    // the NAT's outside address as a peer saw it is no evidence that anyone can dial in
    expect(reachabilityOf([addr('/ip4/192.168.1.2/tcp/4001', true), addr('/ip4/41.0.0.2/tcp/4001', false, 'observed')])).to.equal('private')
    expect(reachabilityOf([addr('/ip4/192.168.1.2/tcp/4001', true), addr('/ip4/41.0.0.2/tcp/4001', true, 'announce')])).to.equal('public')
    expect(reachabilityOf([])).to.equal('private')
  })
})

describe('ModeState', () => {
  const natted = [addr('/ip4/192.168.1.2/tcp/4001', true), addr('/ip4/41.0.0.2/tcp/50000', false, 'observed')]

  it('auto on the internet: a client until an address is verified public, and back when it is lost; each change reported once', () => {
    const state = new ModeState('auto', { internet: true })
    const changes: string[] = []
    state.onChange(c => changes.push(`${c.reachability}/${c.mode}`))
    expect(state.mode).to.equal('client')
    state.update([addr('/ip4/21.0.0.2/tcp/4001', false)])
    expect(state.mode).to.equal('client')
    state.update([addr('/ip4/21.0.0.2/tcp/4001', true)])
    state.update([addr('/ip4/21.0.0.2/tcp/4001', true)])
    expect(state.mode).to.equal('server')
    state.update(natted)
    expect(changes).to.deep.equal(['public/server', 'private/client'])
    expect(state.lastChange?.mode).to.equal('client')
  })

  it('auto on a LAN serves; the first connection over the internet makes it follow reachability for good', () => {
    const state = new ModeState('auto')
    expect(state.mode).to.equal('server')
    state.update([addr('/ip4/192.168.1.2/tcp/4001', true)])
    expect(state.mode).to.equal('server')
    state.update([addr('/ip4/192.168.1.2/tcp/4001', true)], true)
    expect(state.mode).to.equal('client')
    state.update([addr('/ip4/192.168.1.2/tcp/4001', true)])
    expect(state.mode).to.equal('client')
  })

  it('server and client are fixed whatever the reachability', () => {
    const server = new ModeState('server', { internet: true })
    server.update(natted)
    expect(server.mode).to.equal('server')
    expect(server.reachability).to.equal('private')
    const client = new ModeState('client')
    client.update([addr('/ip4/21.0.0.2/tcp/4001', true)])
    expect(client.mode).to.equal('client')
    expect(client.reachability).to.equal('public')
    expect(() => new ModeState('sometimes' as any)).to.throw(/auto, server, client/)
  })
})

describe('offered addresses', () => {
  const texts = (addrs: ReturnType<typeof offeredAddrs>): string[] => addrs.map(String)

  it('a node with an internet address offers only those (and relayed ones), a LAN node drops loopback, a loopback-only node keeps it', () => {
    const relayed = '/ip4/21.0.0.2/tcp/4001/p2p/12D3KooWHGBJij9yAPpziXnRuLRaiTV6sEp1uqzHBvscixjzqqqb/p2p-circuit'
    expect(texts(offeredAddrs(['/ip4/127.0.0.1/tcp/1', '/ip4/192.168.1.2/tcp/1', '/ip4/22.0.0.2/tcp/1', relayed].map(t => multiaddr(t)))))
      .to.deep.equal(['/ip4/22.0.0.2/tcp/1', relayed])
    expect(texts(offeredAddrs(['/ip4/127.0.0.1/tcp/1', '/ip4/192.168.1.2/tcp/1'].map(t => multiaddr(t))))).to.deep.equal(['/ip4/192.168.1.2/tcp/1'])
    expect(texts(offeredAddrs([multiaddr('/ip4/127.0.0.1/tcp/1')]))).to.deep.equal(['/ip4/127.0.0.1/tcp/1'])
  })

  it('dials QUIC before TCP, public before relayed before private (libp2p\'s order otherwise)', () => {
    const list = ['/ip4/192.168.1.2/udp/1/quic-v1', '/ip4/22.0.0.2/tcp/1', '/ip4/22.0.0.2/udp/1/quic-v1', '/ip4/22.0.0.3/tcp/1/p2p/12D3KooWHGBJij9yAPpziXnRuLRaiTV6sEp1uqzHBvscixjzqqqb/p2p-circuit']
      .map(t => ({ multiaddr: multiaddr(t), isCertified: false }))
    expect(list.sort(quicFirstSorter).map(a => a.multiaddr.toString().split('/').slice(0, 6).join('/')))
      .to.deep.equal(['/ip4/22.0.0.2/udp/1/quic-v1', '/ip4/22.0.0.2/tcp/1', '/ip4/22.0.0.3/tcp/1/p2p', '/ip4/192.168.1.2/udp/1/quic-v1'])
  })
})
