/** The real-TCP test network lives in src/testing (embedders use it too); re-exported for the specs. */
export { createTestnet, dialAddr, nearestNodes } from '../../src/testing/testnet.ts'
export type { Testnet } from '../../src/testing/testnet.ts'
