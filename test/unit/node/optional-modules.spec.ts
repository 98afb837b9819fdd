/**
 * The libp2p modules a node loads only when its options use them
 * (src/node/optional-modules.ts), and the daemon's own V8 settings
 * (src/daemon/v8-flags.ts).
 */
import { expect } from 'chai'
import { loadOptionalModules, wantsUpnp } from '../../../src/node/optional-modules.ts'
import { planNode } from '../../../src/node/plan.ts'
import { libp2pOptions } from '../../../src/node/libp2p-options.ts'
import { DAEMON_V8_FLAGS, tuneDaemonV8 } from '../../../src/daemon/v8-flags.ts'
import { MemoryDatastore } from 'datastore-core'
import type { ToyrrentNodeOptions } from '../../../src/node/types.ts'

const KEY = new TextEncoder().encode('/key/swarm/psk/1.0.0/\n/base16/\n' + 'ab'.repeat(32))

describe('unit: optional libp2p modules load only when used', () => {
  it('a loopback node with default options loads none of UPnP, mDNS and pnet', async () => {
    const options: ToyrrentNodeOptions = { listen: ['/ip4/127.0.0.1/tcp/0'] }
    const plan = planNode(options)
    expect(wantsUpnp(options, plan)).to.equal(false)
    expect(await loadOptionalModules(options, plan)).to.deep.equal({ upnp: undefined, mdns: undefined, preSharedKey: undefined })
  })

  it('each one loads when its option asks for it, and the libp2p options use it', async () => {
    const options: ToyrrentNodeOptions = { listen: ['/ip4/127.0.0.1/tcp/0'], upnp: true, mdns: true, swarmKey: KEY }
    const plan = planNode(options)
    const optional = await loadOptionalModules(options, plan)
    expect(optional.upnp).to.be.a('function')
    expect(optional.mdns).to.be.a('function')
    expect(optional.preSharedKey).to.be.a('function')
    const made = libp2pOptions(options, plan, { datastore: new MemoryDatastore(), optional, tableEmpty: () => true })
    expect(made.services).to.have.property('upnp')
    expect(made.peerDiscovery).to.have.length(1)
    expect(made.connectionProtector).to.not.equal(undefined)
  })

  it('options that need a module that was not loaded fail clearly instead of running without it', () => {
    const options: ToyrrentNodeOptions = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: true }
    expect(() => libp2pOptions(options, planNode(options), { datastore: new MemoryDatastore(), tableEmpty: () => true })).to.throw(/@libp2p\/mdns was not loaded/)
  })
})

describe('unit: the daemon\'s V8 settings', () => {
  it('are skipped with TOYRRENT_V8_DEFAULTS=1 and applied otherwise', () => {
    expect(tuneDaemonV8({ TOYRRENT_V8_DEFAULTS: '1' })).to.deep.equal([])
    expect(DAEMON_V8_FLAGS).to.include('--optimize-for-size')
  })
})
