/**
 * toyrrent for Helia (`toyrrent/helia`): a block broker that reads blocks
 * (hash items keyed by the CID's SHA-256 digest) from toyrrent.
 */
export { ToyrrentBlockBroker, toyrrentBlockBroker } from './block-broker.ts'
export type { BlockSource, ToyrrentBlockBrokerInit } from './block-broker.ts'
