import { daemon } from './daemon.ts'
import { findBeforeN } from './find-before-n.ts'
import { get } from './get.ts'
import { id } from './id.ts'
import { peers } from './peers.ts'
import { put } from './put.ts'
import { stats } from './stats.ts'
import { swarmKey } from './swarm-key.ts'
import type { Command } from '../command.ts'

/** Every command, in the order `toyrrent help` lists them. */
export const commands: Command[] = [daemon, put, get, id, peers, findBeforeN, stats, swarmKey]
