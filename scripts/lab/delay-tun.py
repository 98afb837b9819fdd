#!/usr/bin/env python3
"""A fixed one-way delay for IP packets, for the NAT lab where the kernel has
no netem: run inside the internet router's namespace, it opens a TUN device;
policy routes steer the packets of the measured path into it, and it writes
each packet back (so the kernel forwards it on) DELAY_MS after it read it.
TCP and UDP are delayed alike, handshakes included.

    delay-tun.py DEVICE DELAY_MS      prints "ready" once the device exists
"""
import fcntl
import os
import select
import struct
import sys
import time
from collections import deque

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main() -> None:
    name, delay_ms = sys.argv[1], float(sys.argv[2])
    delay = delay_ms / 1000.0
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    print('ready', flush=True)
    waiting: deque = deque()
    while True:
        timeout = None if not waiting else max(0.0, waiting[0][0] - time.monotonic())
        readable, _, _ = select.select([fd], [], [], timeout)
        if readable:
            waiting.append((time.monotonic() + delay, os.read(fd, 65536)))
        now = time.monotonic()
        while waiting and waiting[0][0] <= now:
            os.write(fd, waiting.popleft()[1])


if __name__ == '__main__':
    main()
