/**
 * Validators and selectors per routing-key namespace, as kad-dht keeps them
 * (`validators`/`selectors` keyed by `ipns`, `pk`, ...): a routing record is
 * stored or returned only when its namespace's validator accepts it, and a
 * store replaces what it holds only when the selector prefers the newcomer.
 * `/ipns/` is built in; a key in a namespace nobody registered is refused.
 */
import { InvalidRecordError, UnknownNamespaceError } from '../errors.ts'
import { namespaceOf } from '../records/routing-record.ts'
import { compareBytes } from '../bytes.ts'
import { ipnsNamespace } from './ipns.ts'
import type { RoutingNamespace } from './routing-namespace.ts'

export type { RoutingNamespace }

export class RoutingNamespaces {
  private readonly namespaces = new Map<string, RoutingNamespace>([['ipns', ipnsNamespace]])

  /** `extra` adds namespaces (or replaces the built-in `ipns`). */
  constructor (extra: Record<string, RoutingNamespace> = {}) {
    for (const [name, namespace] of Object.entries(extra)) this.namespaces.set(name, namespace)
  }

  names (): string[] {
    return [...this.namespaces.keys()]
  }

  /** The namespace of `key`; UnknownNamespaceError when none is registered. */
  of (key: Uint8Array): RoutingNamespace {
    const name = namespaceOf(key)
    const namespace = this.namespaces.get(name)
    if (namespace == null) throw new UnknownNamespaceError(`no validator for the routing key namespace "${name}" (this node knows ${this.names().map(n => `/${n}/`).join(', ')})`)
    return namespace
  }

  /** Throws UnknownNamespaceError, or InvalidRecordError with the validator's reason. */
  async validate (key: Uint8Array, value: Uint8Array): Promise<void> {
    const namespace = this.of(key)
    try {
      await namespace.validate(key, value)
    } catch (err: any) {
      throw new InvalidRecordError(`/${namespaceOf(key)}/ record refused: ${err.message ?? String(err)}`)
    }
  }

  /** True when the namespace's selector prefers `incoming` over `held` (both valid); a tie keeps what is held. */
  prefers (key: Uint8Array, held: Uint8Array, incoming: Uint8Array): boolean {
    if (compareBytes(held, incoming) === 0) return false
    return this.of(key).select(key, [held, incoming]) === 1
  }

  /**
   * The best of several valid values: they are put in byte order first, so
   * readers that heard the same values pick the same one even when the
   * selector calls them equal.
   */
  best (key: Uint8Array, values: Uint8Array[]): Uint8Array | undefined {
    if (values.length === 0) return undefined
    const ordered = [...values].sort(compareBytes)
    return ordered[this.of(key).select(key, ordered)]
  }

  version (key: Uint8Array, value: Uint8Array): bigint {
    const namespace = this.of(key)
    try {
      return namespace.version?.(value) ?? 0n
    } catch {
      return 0n
    }
  }
}
