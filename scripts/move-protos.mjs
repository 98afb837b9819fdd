// protons writes generated code beside each .proto; move it to where src/ imports it from.
import { renameSync } from 'node:fs'
const targets = {
  'protocols/rpc.ts': 'src/rpc/pb/rpc.ts',
  'protocols/store.ts': 'src/store/pb/store.ts',
  'protocols/publish-record.ts': 'src/records/pb/publish-record.ts',
  'protocols/routing-record.ts': 'src/records/pb/routing-record.ts'
}
for (const [from, to] of Object.entries(targets)) {
  try { renameSync(from, to) } catch (err) { if (err.code !== 'ENOENT') throw err }
}
