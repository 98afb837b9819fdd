/**
 * libp2p's content routing from toyrrent (libp2p collects it by
 * contentRoutingSymbol): `put`/`get` of routing records (`/ipns/...` and any
 * registered namespace) through RoutingRecords, so `libp2p.contentRouting`
 * and Helia's libp2p router (hence `@helia/ipns`) publish and resolve
 * through toyrrent.
 *
 * toyrrent keeps no provider records. By default `provide` and
 * `findProviders` say so (UnsupportedOperationError). libp2p asks every
 * router for those and fails when one fails, so an application that runs
 * another router beside toyrrent (kad-dht, delegated routing) sets
 * `providerRecords: 'skip'`: the router then has no `provide` or
 * `findProviders` at all, and libp2p leaves toyrrent out of them (libp2p's
 * ContentRoutingProvider allows a partial router).
 */
import { UnsupportedOperationError } from '@libp2p/interface'
import type { RoutingRecords } from './routing-records.ts'
import type { ContentRouting, RoutingOptions } from '@libp2p/interface'

export interface ToyrrentContentRoutingInit {
  records: RoutingRecords
  /** The deadline of one operation: the caller's signal, the service's shutdown, the operation timeout. */
  deadline(signal?: AbortSignal): AbortSignal
}

export const NO_PROVIDER_RECORDS = 'toyrrent keeps no provider records: it routes peers and stores values (hash items, publish items, routing records such as /ipns/), it does not announce or find providers of a CID'

/** put/get only: what libp2p is given with `providerRecords: 'skip'`. */
export class ToyrrentRecordRouting implements Pick<ContentRouting, 'put' | 'get'> {
  readonly [Symbol.toStringTag]: string = '@toyrrent/content-routing'
  protected readonly init: ToyrrentContentRoutingInit

  constructor (init: ToyrrentContentRoutingInit) {
    this.init = init
  }

  /** Store a routing record on the R nearest of SHA-256(key); refused when its namespace is unknown or its validator refuses it. */
  async put (key: Uint8Array, value: Uint8Array, options: RoutingOptions = {}): Promise<void> {
    await this.init.records.put(key, value, this.init.deadline(options.signal))
  }

  /** The valid record under `key` its namespace's selector prefers, from a read quorum of the replica set. */
  async get (key: Uint8Array, options: RoutingOptions = {}): Promise<Uint8Array> {
    return this.init.records.get(key, this.init.deadline(options.signal))
  }
}

/** The whole ContentRouting interface, provider operations refused with a clear error. */
export class ToyrrentContentRouting extends ToyrrentRecordRouting implements ContentRouting {
  async provide (): Promise<void> {
    throw new UnsupportedOperationError(NO_PROVIDER_RECORDS)
  }

  /** Nothing was provided, so there is nothing to stop reproviding. */
  async cancelReprovide (): Promise<void> {}

  // eslint-disable-next-line require-yield
  async * findProviders (): AsyncGenerator<never> {
    throw new UnsupportedOperationError(NO_PROVIDER_RECORDS)
  }
}

/** The router libp2p is given: put/get only with `providerRecords: 'skip'`, else the whole interface. */
export function contentRouter (init: ToyrrentContentRoutingInit, providerRecords: 'refuse' | 'skip'): ToyrrentRecordRouting {
  return providerRecords === 'skip' ? new ToyrrentRecordRouting(init) : new ToyrrentContentRouting(init)
}
