#!/usr/bin/env python3
"""A tiny authoritative DNS server for the NAT lab: answers A, AAAA and TXT
queries over UDP for the names it is given, NXDOMAIN for the rest, so that
/dns4 and /dnsaddr multiaddrs resolve inside a lab namespace without the
internet. Prints "ready" once it listens, then "query NAME TYPE ANSWERS" for
each query.

    dns-server.py 127.0.0.1:53 '{"_dnsaddr.boot.lab": {"TXT": ["dnsaddr=/ip4/..."]}}'
"""
import json
import socket
import struct
import sys

TYPES = {1: 'A', 28: 'AAAA', 16: 'TXT'}


def rdata(kind, value):
    if kind == 'A':
        return socket.inet_pton(socket.AF_INET, value)
    if kind == 'AAAA':
        return socket.inet_pton(socket.AF_INET6, value)
    text = value.encode()
    # a TXT record is a list of strings of at most 255 bytes each
    return b''.join(bytes([len(text[i:i + 255])]) + text[i:i + 255] for i in range(0, len(text), 255))


def answer(query, records):
    qid, flags = struct.unpack('>HH', query[:4])
    i = 12
    labels = []
    while query[i] != 0:
        length = query[i]
        labels.append(query[i + 1:i + 1 + length].decode('ascii', 'replace'))
        i += length + 1
    qtype = struct.unpack('>H', query[i + 1:i + 3])[0]
    question = query[12:i + 5]
    name = '.'.join(labels).lower()
    record = records.get(name)
    answers = []
    for value in (record or {}).get(TYPES.get(qtype, ''), []):
        data = rdata(TYPES[qtype], value)
        # 0xc00c: the name of the question, by pointer
        answers.append(struct.pack('>HHHIH', 0xc00c, qtype, 1, 60, len(data)) + data)
    # the lab reads this: which names were asked for, of which type, and whether we knew them
    print(f'query {name} {TYPES.get(qtype, qtype)} {len(answers)}', flush=True)
    rcode = 0 if record is not None else 3
    flags = 0x8400 | (flags & 0x0100) | rcode
    return struct.pack('>HHHHHH', qid, flags, 1, len(answers), 0, 0) + question + b''.join(answers)


def main():
    host, port = sys.argv[1].rsplit(':', 1)
    records = {k.lower().rstrip('.'): v for k, v in json.loads(sys.argv[2]).items()}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port)))
    print('ready', flush=True)
    while True:
        query, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(query, records), peer)
        except (IndexError, struct.error, UnicodeError):
            pass  # not a query we can parse: no answer


if __name__ == '__main__':
    main()
