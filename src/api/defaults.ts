/**
 * Default address of the HTTP API: loopback only, since it has no
 * authentication. In a file of its own so the CLI's client commands can name
 * it without loading the server (and with it libp2p).
 */
export const DEFAULT_API_HOST = '127.0.0.1'
export const DEFAULT_API_PORT = 5454
