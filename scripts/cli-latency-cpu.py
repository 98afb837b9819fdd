#!/usr/bin/env python3
"""Median wall and CPU time (user + sys, microsecond resolution from
os.wait4, where /usr/bin/time rounds to 10 ms) of commands run interleaved,
so all of them see the same load on a shared machine.

  scripts/cli-latency-cpu.py RUNS 'CMD ARGS...' ['CMD ARGS...' ...]

Each command is split like a shell would (no pipes or redirections); its
output goes to /dev/null. Used for the README's start-up table next to
scripts/cli-latency.sh, which starts the daemon these commands talk to."""
import os
import shlex
import statistics
import sys
import time

runs = int(sys.argv[1])
cmds = sys.argv[2:]
wall = [[] for _ in cmds]
cpu = [[] for _ in cmds]
devnull = os.open('/dev/null', os.O_WRONLY)
for _ in range(runs):
    for i, cmd in enumerate(cmds):
        argv = shlex.split(cmd)
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execvp(argv[0], argv)
        _, status, usage = os.wait4(pid, 0)
        wall[i].append((time.perf_counter() - start) * 1000)
        cpu[i].append((usage.ru_utime + usage.ru_stime) * 1000)
        if os.waitstatus_to_exitcode(status) != 0:
            print(f'exit {os.waitstatus_to_exitcode(status)}: {cmd}', file=sys.stderr)
print(f'load {os.getloadavg()[0]:.1f}, {runs} runs each, medians')
for i, cmd in enumerate(cmds):
    minus = '' if i == 0 else f'   cpu minus the first: {statistics.median(c - c0 for c, c0 in zip(cpu[i], cpu[0])):6.1f} ms'
    print(f'wall {statistics.median(wall[i]):7.1f} ms  cpu {statistics.median(cpu[i]):6.1f} ms{minus}  {cmd}')
