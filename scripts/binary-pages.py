#!/usr/bin/env python3
"""
Which pages of the `node` binary a running process has resident (what its
RssFile is made of), by ELF section and by symbol family (V8's compilers,
builtins, ICU, OpenSSL, Node's C++ ...), from /proc/PID/maps, /proc/PID/pagemap
(the present bit), readelf and nm. Linux only; reading another user's process
needs root.

  python3 scripts/binary-pages.py PID [TOP_SYMBOLS] [x]

TOP_SYMBOLS lists the most resident symbols outside the named families; a
third argument lists pages that fall between symbols, by section and the
symbol before them (V8's start-up snapshot and Node's code cache live there).
"""
import sys, re, struct, subprocess, bisect, collections
pid = sys.argv[1]
binary = None
maps = []
for line in open(f'/proc/{pid}/maps'):
    p = line.split()
    if len(p) >= 6 and p[5].endswith('/bin/node'):
        binary = p[5]
        s, e = (int(x, 16) for x in p[0].split('-'))
        maps.append((s, e, int(p[2], 16), p[1]))
if binary is None:
    sys.exit(f'binary-pages: process {pid} maps no file ending in /bin/node')
# symbols: file offset ranges via vaddr (LOAD segments map vaddr-> offset with fixed delta per segment)
segs = []
for line in subprocess.run(['readelf', '-lW', binary], capture_output=True, text=True).stdout.splitlines():
    if line.strip().startswith('LOAD'):
        f = line.split()
        segs.append((int(f[1], 16), int(f[2], 16), int(f[5], 16)))
def off2va(off):
    for o, va, fs in segs:
        if o <= off < o + fs: return va + off - o
    return None
syms = []
out = subprocess.run(['nm', '-S', '-C', '--defined-only', binary], capture_output=True, text=True).stdout
for line in out.splitlines():
    f = line.split(' ', 3)
    if len(f) < 4: continue
    try: syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    except ValueError: pass
syms.sort()
starts = [s[0] for s in syms]
secs = []
for line in subprocess.run(['readelf', '-SW', binary], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)', line)
    if m and int(m.group(2), 16): secs.append((int(m.group(2), 16), int(m.group(4), 16), m.group(1)))
def family(name):
    rules = [('v8::internal::compiler::turboshaft', 'v8 turboshaft'), ('v8::internal::compiler', 'v8 turbofan'), ('v8::internal::maglev', 'v8 maglev'),
             ('v8::internal::baseline', 'v8 sparkplug'), ('v8::internal::wasm', 'v8 wasm'), ('v8::internal::interpreter', 'v8 interpreter'),
             ('v8::internal::Heap', 'v8 heap/gc'), ('v8::internal::Scavenger', 'v8 heap/gc'), ('v8::internal::MarkCompact', 'v8 heap/gc'), ('v8::internal::Marking', 'v8 heap/gc'),
             ('v8::internal::Parser', 'v8 parser'), ('v8::internal::ParserBase', 'v8 parser'), ('v8::internal::Scanner', 'v8 parser'), ('v8::internal::PreParser', 'v8 parser'),
             ('v8::internal::Snapshot', 'v8 snapshot'), ('v8::internal::Deserializer', 'v8 snapshot'),
             ('v8_Default_embedded_blob', 'v8 embedded builtins'), ('Builtins_', 'v8 embedded builtins'),
             ('v8::', 'v8 other'), ('cppgc::', 'v8 other'), ('icudt', 'icu data'), ('icu_', 'icu code'), ('node::', 'node'), ('uv_', 'libuv'), ('uv__', 'libuv'),
             ('ossl_', 'openssl'), ('EVP_', 'openssl'), ('OPENSSL', 'openssl'), ('ERR_', 'openssl'), ('ssl', 'openssl'), ('SSL', 'openssl'), ('BN_', 'openssl'), ('CRYPTO', 'openssl'),
             ('sqlite3', 'sqlite'), ('ada::', 'ada'), ('simdutf', 'simdutf'), ('nghttp', 'nghttp'), ('llhttp', 'llhttp'), ('Brotli', 'brotli'), ('kBrotli', 'brotli'), ('kStaticDictionary', 'brotli'), ('std::', 'libstdc++'), ('_GLOBAL__sub_I', 'static init'), ('__static_initialization', 'static init')]
    for pre, fam in rules:
        if name.startswith(pre): return fam
    m = re.match(r'([A-Za-z_]+?)[_:]', name)
    return 'other'
def sym_of(va):
    i = bisect.bisect_right(starts, va) - 1
    if i >= 0 and syms[i][0] <= va < syms[i][0] + max(syms[i][1], 1): return syms[i][2]
    return None
def sec_of(va):
    for a, sz, n in secs:
        if a <= va < a + sz: return n
    return '?'
PAGE = 4096
fam = collections.Counter(); bysec = collections.Counter(); bysym = collections.Counter()
with open(f'/proc/{pid}/pagemap', 'rb') as pm:
    for s, e, off, perm in maps:
        pm.seek(s // PAGE * 8)
        data = pm.read((e - s) // PAGE * 8)
        for i in range(0, (e - s) // PAGE):
            (entry,) = struct.unpack_from('<Q', data, i * 8)
            if not (entry >> 63) & 1: continue
            va = off2va(off + i * PAGE)
            if va is None: bysec['(unmapped file offset)'] += 1; continue
            sec = sec_of(va); bysec[sec + ' ' + perm] += 1
            # a page may hold several symbols: attribute to the symbol at page start or the first symbol inside it
            name = sym_of(va)
            if name is None:
                j = bisect.bisect_left(starts, va)
                name = syms[j][2] if j < len(syms) and syms[j][0] < va + PAGE else '(no symbol)'
            f = family(name) if sec in ('.text', '.rodata', '.data.rel.ro', '.data') else sec
            fam[f] += 1
            if f in ('other', 'v8 other', 'node'): bysym[name[:90]] += 1
mb = lambda n: f'{n*PAGE/1048576:6.1f} MiB'
print('by section:'); [print(' ', mb(v), k) for k, v in bysec.most_common()]
print('by family:'); [print(' ', mb(v), k) for k, v in fam.most_common()]
if len(sys.argv) > 2: print('top symbols in other/v8 other/node:'); [print(' ', v, k) for k, v in bysym.most_common(int(sys.argv[2]))]
# no-symbol pages by 1 MiB range of file offset
if len(sys.argv) > 3:
    rng = collections.Counter()
    with open(f'/proc/{pid}/pagemap', 'rb') as pm:
        for s, e, off, perm in maps:
            pm.seek(s // PAGE * 8); data = pm.read((e - s) // PAGE * 8)
            for i in range(0, (e - s) // PAGE):
                (entry,) = struct.unpack_from('<Q', data, i * 8)
                if not (entry >> 63) & 1: continue
                va = off2va(off + i * PAGE)
                if va is None or sym_of(va) is not None: continue
                j = bisect.bisect_left(starts, va)
                if j < len(syms) and syms[j][0] < va + PAGE: continue
                prev = syms[bisect.bisect_right(starts, va) - 1]
                rng[(sec_of(va), prev[2][:60])] += 1
    for k, v in rng.most_common(25): print(' ', mb(v), k)
