/**
 * Files of any size on toyrrent: UnixFS DAGs (the IPFS format) whose blocks
 * are hash items. See README "Files".
 */
export { Files, filesOf } from './files.ts'
export type { FilesInit, ListEntry } from './files.ts'
export { ToyrrentBlockstore, getBlock, putBlock, putBlockWithRetries, blockKey, parseCid, rawCid, BlockMismatchError } from './blocks.ts'
export type { BlockService, BlockOptions } from './blocks.ts'
export { importFile, importDirectory, importerOptions } from './importer.ts'
export type { AddResult } from './importer.ts'
export { readFile, stat, byteRange, BadDagError, MissingBlockError } from './reader.ts'
export type { Entry, EntryType, ReadOptions, BlockLoader } from './reader.ts'
export { dagBlocks } from './dag.ts'
export { exportCar, importCar } from './car.ts'
export { Pins } from './pins.ts'
export type { PinRecord, PinEntry } from './pins.ts'
export { inOrder } from './window.ts'
export * from './constants.ts'
