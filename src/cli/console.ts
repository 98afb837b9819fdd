/**
 * `toyrrent daemon --console`: commands typed on stdin, one per line, run
 * against the node the daemon runs (the seeds' handle_stdin_line). Every
 * command answers on stdout; a failure is one `error: ...` line and the
 * console reads on. End of input closes the console, not the daemon.
 */
import { createInterface } from 'node:readline'
import { DEFAULT_FIND_N, DEFAULT_OPERATION_TIMEOUT_MS, MAX_FIND_N } from '../constants.ts'
import { InvalidInputError } from '../errors.ts'
import { readKeyFile } from '../key-file.ts'
import { distance } from '../keyspace.ts'
import { checkValueSize, parseKey } from '../records/hash-item.ts'
import { toHex } from '../api/types.ts'
import type { ToyrrentNode } from '../node.ts'
import type { Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'

export interface ConsoleInit {
  node: ToyrrentNode
  input: Readable & { isTTY?: boolean }
  output: Writable
  /** Deadline of one command in ms. @default DEFAULT_OPERATION_TIMEOUT_MS */
  timeout?: number
}

interface ConsoleCommand {
  synopsis: string
  summary: string
  /** `args` is the rest of the line after the command name, untrimmed at the end. */
  run(args: string, signal: AbortSignal): Promise<string>
}

export class Console {
  private readonly node: ToyrrentNode
  private readonly input: ConsoleInit['input']
  private readonly output: Writable
  private readonly timeout: number
  private readonly stopped = new AbortController()
  private readonly commands: Record<string, ConsoleCommand>
  private rl?: Interface

  constructor (init: ConsoleInit) {
    this.node = init.node
    this.input = init.input
    this.output = init.output
    this.timeout = init.timeout ?? DEFAULT_OPERATION_TIMEOUT_MS
    this.commands = this.table()
  }

  /** Read and run lines until the input ends or close() is called. */
  async run (): Promise<void> {
    const rl = createInterface({ input: this.input, terminal: this.input.isTTY === true, prompt: 'toyrrent> ' })
    this.rl = rl
    // piped input ends (and readline closes) while earlier lines still run:
    // the lines already read are still delivered, but nothing may be written to rl
    let inputEnded = false
    rl.once('close', () => { inputEnded = true })
    this.print('console: type a command, or help')
    rl.prompt()
    for await (const line of rl) {
      await this.handleLine(line)
      if (this.stopped.signal.aborted) return
      if (!inputEnded) rl.prompt()
    }
    if (!this.stopped.signal.aborted) this.print('console: end of input; the daemon keeps running (stop it with Ctrl-C)')
  }

  /** Stop reading and abort the command in flight. */
  close (): void {
    this.stopped.abort()
    this.rl?.close()
    this.input.pause()
  }

  /** Run one line; never throws. */
  async handleLine (line: string): Promise<void> {
    const match = /^\s*(\S+)\s?(.*)$/.exec(line)
    if (match == null) return // a blank line
    const [, name, args] = match
    const command = Object.hasOwn(this.commands, name) ? this.commands[name] : undefined
    if (command == null) {
      this.print(`error: unknown command "${name}"; type help for the commands`)
      return
    }
    try {
      const signal = AbortSignal.any([this.stopped.signal, AbortSignal.timeout(this.timeout)])
      const out = await command.run(args, signal)
      if (out !== '') this.print(out)
    } catch (err: any) {
      if (this.stopped.signal.aborted) return
      this.print(`error: ${String(err?.message ?? err).replace(/\s*\n\s*/g, ' ')}`)
    }
  }

  private print (text: string): void {
    this.output.write(`${text}\n`)
  }

  /** The peer table by distance band, farthest band first. */
  private showTable (): string {
    const bands = [...this.node.toyrrent.tableBands()].sort(([a], [b]) => b - a)
    if (bands.length === 0) return 'table: empty'
    const total = bands.reduce((n, [, peers]) => n + peers.length, 0)
    const lines = [`table: ${total} peers in ${bands.length} bands`]
    for (const [band, peers] of bands) {
      lines.push(`band ${band}: ${peers.length} peers`, ...peers.map(p => `  ${p.peerId.toString()}`))
    }
    return lines.join('\n')
  }

  private async findBeforeN (args: string, signal: AbortSignal): Promise<string> {
    const [idText, nText, extra] = args.trim().split(/\s+/)
    if (idText === '' || extra != null) throw new InvalidInputError('usage: find-before-n ID [N]')
    const target = parseKey(idText)
    const n = nText == null ? DEFAULT_FIND_N : Number(nText)
    if (!/^\d+$/.test(nText ?? '1') || n < 1 || n > MAX_FIND_N) throw new InvalidInputError(`N must be an integer from 1 to ${MAX_FIND_N}, got "${nText}"`)
    const peers = await this.node.toyrrent.findBeforeN(target, n, { signal })
    return peers.map(p => `${p.peerId.toString()} ${toHex(distance(target, p.position))}`).join('\n')
  }

  /** Every command, in the order `help` lists them. */
  private table (): Record<string, ConsoleCommand> {
    return { ...this.valueCommands(), ...this.networkCommands() }
  }

  /** put, get, publish, resolve: values on the network. */
  private valueCommands (): Record<string, ConsoleCommand> {
    const { toyrrent } = this.node
    return {
      put: {
        synopsis: 'put TEXT',
        summary: 'store the rest of the line as a value; prints its key',
        run: async (args, signal) => {
          if (args === '') throw new InvalidInputError('usage: put TEXT')
          const value = new TextEncoder().encode(args)
          checkValueSize(value)
          return (await toyrrent.put(value, { signal })).cid
        }
      },
      get: {
        synopsis: 'get KEY',
        summary: 'the value stored under KEY, as text (or hex: ... when it is binary)',
        run: async (args, signal) => showValue(await toyrrent.get(parseKey(oneArg(args, 'get KEY')), { signal }))
      },
      publish: {
        synopsis: 'publish KEYFILE [--salt S] VALUE',
        summary: 'sign VALUE (the rest of the line) with the key file and publish it; prints ID SEQ',
        run: async (args, signal) => {
          const { keyFile, salt, value } = parsePublish(args)
          const privateKey = await readKeyFile(keyFile)
          const result = await toyrrent.publish(privateKey, value, { salt, signal })
          return `${toHex(result.id)} ${result.seq}`
        }
      },
      resolve: {
        synopsis: 'resolve ID',
        summary: 'the newest value published under ID (64 hex): "seq N: VALUE", or "ID: deleted (seq N)"',
        run: async (args, signal) => {
          const id = parseKey(oneArg(args, 'resolve ID'))
          const result = await toyrrent.resolve(id, { signal })
          return result.deleted ? `${toHex(id)}: deleted (seq ${result.seq})` : `seq ${result.seq}: ${showValue(result.value)}`
        }
      }
    }
  }

  /** peers, connect, table, find-before-n, help: the network as this node sees it. */
  private networkCommands (): Record<string, ConsoleCommand> {
    const { libp2p } = this.node
    return {
      peers: {
        synopsis: 'peers',
        summary: 'the connected peers: peer id and address',
        run: async args => {
          noArgs(args, 'peers')
          const lines = libp2p.getConnections().map(c => `${c.remotePeer.toString()} ${c.remoteAddr.toString()}`)
          return lines.length === 0 ? 'no peers connected' : lines.join('\n')
        }
      },
      connect: {
        synopsis: 'connect MULTIADDR',
        summary: 'dial MULTIADDR and join the network through it: "PEERID joined; N peers in the routing table"',
        run: async (args, signal) => {
          const result = await this.node.connect(oneArg(args, 'connect MULTIADDR'), { signal })
          return `${result.peerId.toString()} ${result.joined ? 'joined' : 'connected, but it is not in the routing table'}; ${result.peers} peers in the routing table`
        }
      },
      table: {
        synopsis: 'table',
        summary: 'the toyrrent peer table by distance band (band i: distance 2^i..2^(i+1) from this node)',
        run: async args => {
          noArgs(args, 'table')
          return this.showTable()
        }
      },
      'find-before-n': {
        synopsis: 'find-before-n ID [N]',
        summary: `the N (default ${DEFAULT_FIND_N}) nodes nearest to ID: peer id and XOR distance, nearest first`,
        run: async (args, signal) => this.findBeforeN(args, signal)
      },
      help: {
        synopsis: 'help',
        summary: 'this list',
        run: async () => Object.values(this.commands).map(c => `  ${c.synopsis.padEnd(34)} ${c.summary}`).join('\n')
      }
    }
  }
}

/** Start a console on the daemon's node; it runs until the input ends or close(). */
export function startConsole (init: ConsoleInit): Console {
  const console = new Console(init)
  void console.run()
  return console
}

/** Text when the bytes are UTF-8 without control characters (tab and newlines allowed), else `hex: ...`. */
export function showValue (value: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(value)
  } catch {
    return `hex: ${toHex(value)}`
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? `hex: ${toHex(value)}` : text
}

/** `KEYFILE [--salt S] VALUE`; VALUE is the rest of the line, spaces included. */
export function parsePublish (args: string): { keyFile: string, salt: Uint8Array, value: Uint8Array } {
  const usage = 'usage: publish KEYFILE [--salt S] VALUE'
  const first = /^\s*(\S+)\s?(.*)$/.exec(args)
  if (first == null) throw new InvalidInputError(usage)
  let rest = first[2]
  let salt = ''
  const salted = /^--salt\s+(\S+)\s?(.*)$/.exec(rest)
  if (salted != null) [, salt, rest] = salted
  else if (rest.startsWith('--salt')) throw new InvalidInputError(usage)
  return { keyFile: first[1], salt: new TextEncoder().encode(salt), value: new TextEncoder().encode(rest) }
}

function oneArg (args: string, usage: string): string {
  const parts = args.trim().split(/\s+/)
  if (parts.length !== 1 || parts[0] === '') throw new InvalidInputError(`usage: ${usage}`)
  return parts[0]
}

function noArgs (args: string, name: string): void {
  if (args.trim() !== '') throw new InvalidInputError(`${name} takes no arguments`)
}
