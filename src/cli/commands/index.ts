/**
 * Every command, in the order `toyrrent help` lists them, each loaded only
 * when it runs: a client command must not pay for loading libp2p (or any
 * other command's modules). Keep command modules light at the top level; load
 * heavy parts inside `run`.
 */
import type { Command } from '../command.ts'

export interface CommandEntry {
  name: string
  load(): Promise<Command>
}

export const commands: CommandEntry[] = [
  { name: 'daemon', load: async () => (await import('./daemon.ts')).daemon },
  { name: 'put', load: async () => (await import('./put.ts')).put },
  { name: 'get', load: async () => (await import('./get.ts')).get },
  { name: 'keygen', load: async () => (await import('./keygen.ts')).keygen },
  { name: 'publish', load: async () => (await import('./publish.ts')).publish },
  { name: 'resolve', load: async () => (await import('./resolve.ts')).resolve },
  { name: 'del', load: async () => (await import('./del.ts')).del },
  { name: 'id', load: async () => (await import('./id.ts')).id },
  { name: 'peers', load: async () => (await import('./peers.ts')).peers },
  { name: 'connect', load: async () => (await import('./connect.ts')).connect },
  { name: 'find-before-n', load: async () => (await import('./find-before-n.ts')).findBeforeN },
  { name: 'holders', load: async () => (await import('./holders.ts')).holders },
  { name: 'stats', load: async () => (await import('./stats.ts')).stats },
  { name: 'swarm-key', load: async () => (await import('./swarm-key.ts')).swarmKey },
  // files of any size (src/files)
  { name: 'add', load: async () => (await import('./add.ts')).add },
  { name: 'cat', load: async () => (await import('./cat.ts')).cat },
  { name: 'ls', load: async () => (await import('./ls.ts')).ls },
  { name: 'export', load: async () => (await import('./export.ts')).exportCar },
  { name: 'import', load: async () => (await import('./import.ts')).importCar },
  { name: 'pin', load: async () => (await import('./pin.ts')).pin }
]

/** All commands loaded, for the full usage text. */
export async function loadAll (): Promise<Command[]> {
  return await Promise.all(commands.map(async entry => await entry.load()))
}
