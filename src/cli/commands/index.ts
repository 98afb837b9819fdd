import { connect } from './connect.ts'
import { daemon } from './daemon.ts'
import { del } from './del.ts'
import { findBeforeN } from './find-before-n.ts'
import { get } from './get.ts'
import { id } from './id.ts'
import { holders } from './holders.ts'
import { keygen } from './keygen.ts'
import { peers } from './peers.ts'
import { publish } from './publish.ts'
import { put } from './put.ts'
import { resolve } from './resolve.ts'
import { stats } from './stats.ts'
import { swarmKey } from './swarm-key.ts'
import { add } from './add.ts'
import { cat } from './cat.ts'
import { ls } from './ls.ts'
import { exportCar } from './export.ts'
import { importCar } from './import.ts'
import { pin } from './pin.ts'
import type { Command } from '../command.ts'

/** Every command, in the order `toyrrent help` lists them. */
export const commands: Command[] = [daemon, put, get, keygen, publish, resolve, del, id, peers, connect, findBeforeN, holders, stats, swarmKey,
  // files of any size (src/files)
  add, cat, ls, exportCar, importCar, pin]
