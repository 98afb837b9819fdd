/** Where a node keeps its identity and data. */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { LevelDatastore } from 'datastore-level'
import { MemoryDatastore } from 'datastore-core'
import { loadOrCreateIdentity } from '../identity.ts'
import { LEVEL_OPTIONS } from '../store/level-options.ts'
import type { ToyrrentNodeOptions } from './types.ts'
import type { PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/**
 * The identity and datastore under `dataDir` (LevelDB, item bodies in the
 * value log beside it: `valueLogDir`), or the given ones, or in memory.
 */
export async function openStorage (options: ToyrrentNodeOptions): Promise<{ datastore: Datastore, privateKey?: PrivateKey, valueLogDir?: string }> {
  let datastore = options.datastore
  let privateKey = options.privateKey
  let valueLogDir = options.valueLogDir
  if (options.dataDir != null) {
    privateKey ??= await loadOrCreateIdentity(options.dataDir)
    if (datastore == null) {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
      const level = new LevelDatastore(join(options.dataDir, 'datastore'), { ...LEVEL_OPTIONS })
      await level.open()
      datastore = level
      // bodies out of LevelDB's compacted, memory-mapped tables (src/store/value-log.ts)
      valueLogDir ??= join(options.dataDir, 'values')
    }
  }
  return { datastore: datastore ?? new MemoryDatastore(), privateKey, valueLogDir }
}
