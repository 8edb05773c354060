#!/usr/bin/env python3
"""Makes loadstore-vectors.txt: random words from each load/store row of the decode table, with base and index
registers pointing into an 8 KiB buffer, run on qemu-aarch64 in one static program that records every register and
the buffer after each word. A line holds what changed, so the file stays small; the initial state comes from a
splitmix64 stream that LoadStoreVectorsTest reproduces. Overlapping operands (CONSTRAINED UNPREDICTABLE) and PC-relative
words are not generated. Needs aarch64-linux-gnu-gcc/objdump, qemu-aarch64 and the compiled classes.
usage: make-loadstore-vectors.py target/classes words_per_row seed out.txt"""
import os, random, re, struct, subprocess, sys, tempfile

classes, per_row, rnd, out_path = sys.argv[1], int(sys.argv[2]), random.Random(int(sys.argv[3])), sys.argv[4]
BUF, BUFSIZE, TEMPLATE_SEED = 0x80000, 8192, 0x5EED
MID = BUF + BUFSIZE // 2
M64 = (1 << 64) - 1
work = tempfile.mkdtemp()

def splitmix(seed):
    s = seed
    while True:
        s = (s + 0x9E3779B97F4A7C15) & M64
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)

def initial_state(seed):
    g = splitmix(seed)
    return [next(g) for _ in range(32)], [next(g) for _ in range(64)]

g = splitmix(TEMPLATE_SEED)
template = b''.join(struct.pack('<Q', next(g)) for _ in range(BUFSIZE // 8))

# The load/store rows, straight from the decode table.
lister = os.path.join(work, 'Rows.java')
open(lister, 'w').write('''import dev.jvisor.arch.a64.decode.*;
public class Rows {
    public static void main(String[] a) {
        for (InsnRow r : A64.TABLE.rows()) {
            if (r.section != Section.MEMORY) continue;
            StringBuilder f = new StringBuilder();
            for (var e : r.fields.entrySet()) {
                Field v = e.getValue();
                f.append(' ').append(e.getKey()).append('=').append(v.lsb()).append(',').append(v.width());
            }
            System.out.printf("%s %08x %08x%s%n", r.name, r.mask, r.value, f);
        }
    }
}''')
rows = []
listing = subprocess.run(['java', '-cp', classes, lister], capture_output=True, text=True, check=True).stdout
for line in listing.split('\n'):
    if not line: continue
    p = line.split()
    fields = {k: tuple(int(x) for x in v.split(',')) for k, v in (f.split('=') for f in p[3:])}
    rows.append((p[0], int(p[1], 16), int(p[2], 16), fields))

def getf(w, f): return (w >> f[0]) & ((1 << f[1]) - 1)
def setf(w, f, v): return (w & ~(((1 << f[1]) - 1) << f[0])) | ((v & ((1 << f[1]) - 1)) << f[0])
ALIGNED = {'STXR', 'STLXR', 'LDXR', 'LDAXR', 'STXP', 'STLXP', 'LDXP', 'LDAXP', 'STLR', 'LDAR', 'LDAPR', 'CAS', 'CASP',
           'LDADD', 'LDCLR', 'LDEOR', 'LDSET', 'LDSMAX', 'LDSMIN', 'LDUMAX', 'LDUMIN', 'SWP'}

cases = []
for name, mask, value, fields in rows:
    if name.endswith('_lit'): continue
    made = tries = 0
    while made < per_row and tries < 100:
        tries += 1
        w = (rnd.getrandbits(32) & ~mask) | value
        if 'imm12' in fields: w = setf(w, fields['imm12'], rnd.randrange(64))
        n = rnd.choice([31] + rnd.sample(range(31), 3))
        w = setf(w, fields['Rn'], n)
        used = {n}
        for k in ('Rt', 'Rt2', 'Rs', 'Rm'):
            if k in fields:
                r = rnd.choice([x for x in range(32) if x not in used])
                w = setf(w, fields[k], r); used.add(r)
        seed = rnd.getrandbits(63)
        x, _ = initial_state(seed)
        over = {}
        base = MID + (16 * rnd.randrange(-64, 64) if name in ALIGNED else rnd.randrange(-300, 300))
        over[n] = base
        if n != 31: over[31] = MID + 16 * rnd.randrange(-8, 8)
        if 'Rm' in fields and getf(w, fields['Rm']) != 31:
            small = rnd.randrange(-64, 64) & M64
            if 'option' in fields and getf(w, fields['option']) & 1 == 0:
                if getf(w, fields['option']) == 2: small = rnd.randrange(64)
                small = (small & 0xFFFFFFFF) | (rnd.getrandbits(32) << 32)
            over[getf(w, fields['Rm'])] = small
        if name in ('CAS', 'CASP') and rnd.random() < 0.6:
            s, off = getf(w, fields['Rs']), base - BUF
            if name == 'CAS':
                size = 1 << (w >> 30)
                if s != 31: over[s] = int.from_bytes(template[off:off + size], 'little')
            elif s % 2 == 0:
                half = 8 if (w >> 30) & 1 else 4
                over[s] = int.from_bytes(template[off:off + half], 'little')
                if s + 1 < 31: over[s + 1] = int.from_bytes(template[off + half:off + 2 * half], 'little')
        cases.append((name, w, seed, over))
        made += 1

# Keep only words objdump accepts: the others are reserved, and qemu would stop at the first SIGILL.
open(os.path.join(work, 'chk.s'), 'w').write(''.join('.inst 0x%08x\n' % c[1] for c in cases))
subprocess.run(['aarch64-linux-gnu-as', os.path.join(work, 'chk.s'), '-o', os.path.join(work, 'chk.o')], check=True)
dis = subprocess.run(['aarch64-linux-gnu-objdump', '-d', os.path.join(work, 'chk.o')],
                     capture_output=True, text=True).stdout
bad = {int(m.group(1), 16) for m in re.finditer(r'\s[0-9a-f]+:\s+([0-9a-f]{8})\s+(\.inst|undefined)', dis)}
cases = [c for c in cases if c[1] not in bad]

STATE = 768
a = ['.section .lsbuf,"aw"', '.balign 16', 'buf: .space %d' % BUFSIZE, '.data', '.balign 16', 'template:']
a += ['.quad 0x%x' % struct.unpack_from('<Q', template, i)[0] for i in range(0, BUFSIZE, 8)]
for i, (name, w, seed, over) in enumerate(cases):
    x, v = initial_state(seed)
    for r, val in over.items(): x[r] = val
    a += ['.balign 16', 'init_%d:' % i, '.quad ' + ','.join('0x%x' % q for q in x + v)]
a += ['.bss', '.balign 16', 'out: .space %d' % (len(cases) * (STATE + BUFSIZE)), '.text', '.globl _start']
a += ['reset_buf:', ' adrp x9, template', ' add x9, x9, :lo12:template', ' adrp x10, buf', ' add x10, x10, :lo12:buf',
      ' mov x11, #%d' % (BUFSIZE // 16), '1: ldp x12, x13, [x9], #16', ' stp x12, x13, [x10], #16',
      ' subs x11, x11, #1', ' b.ne 1b', ' ret']
a += ['save_buf:', ' adrp x9, buf', ' add x9, x9, :lo12:buf', ' mov x11, #%d' % (BUFSIZE // 16),
      '1: ldp x12, x13, [x9], #16', ' stp x12, x13, [x0], #16', ' subs x11, x11, #1', ' b.ne 1b', ' ret', '_start:']
for i, (name, w, seed, over) in enumerate(cases):
    a += [' bl reset_buf', ' adrp x0, init_%d' % i, ' add x0, x0, :lo12:init_%d' % i]
    a += [' ldr x1, [x0, #248]', ' mov sp, x1']
    a += [' ldp q%d, q%d, [x0, #%d]' % (q, q + 1, 256 + 16 * q) for q in range(0, 32, 2)]
    a += [' ldp x%d, x%d, [x0, #%d]' % (r, r + 1, 8 * r) for r in range(2, 30, 2)]
    a += [' ldr x30, [x0, #240]', ' ldp x0, x1, [x0]', ' .inst 0x%08x' % w, ' msr tpidr_el0, x0']
    a += [' adrp x0, out+%d' % (i * (STATE + BUFSIZE)), ' add x0, x0, :lo12:out+%d' % (i * (STATE + BUFSIZE))]
    a += [' stp x%d, x%d, [x0, #%d]' % (r, r + 1, 8 * r) for r in range(1, 31, 2)]
    a += [' mrs x1, tpidr_el0', ' str x1, [x0]', ' mov x1, sp', ' str x1, [x0, #248]']
    a += [' stp q%d, q%d, [x0, #%d]' % (q, q + 1, 256 + 16 * q) for q in range(0, 32, 2)]
    a += [' add x0, x0, #%d' % STATE, ' bl save_buf']
a += [' mov x0, #1', ' adrp x1, out', ' add x1, x1, :lo12:out', ' ldr x2, =%d' % (len(cases) * (STATE + BUFSIZE)),
      ' mov x8, #64', ' svc #0', ' mov x0, #0', ' mov x8, #93', ' svc #0', ' .ltorg']
src, exe, result = (os.path.join(work, f) for f in ('t.s', 't', 'out.bin'))
open(src, 'w').write('\n'.join(a) + '\n')
subprocess.run(['aarch64-linux-gnu-gcc', '-nostdlib', '-static', '-Wl,--section-start=.lsbuf=0x%x' % BUF,
                src, '-o', exe], check=True)
with open(result, 'wb') as f:
    subprocess.run(['qemu-aarch64', '-cpu', 'max', exe], stdout=f, check=True)
out = open(result, 'rb').read()
assert len(out) == len(cases) * (STATE + BUFSIZE)

with open(out_path, 'w') as f:
    f.write('# name insn seed overrides : changes (xN=hex, vN=lo:hi, m<offset>=bytes); see LoadStoreVectorsTest\n')
    for i, (name, w, seed, over) in enumerate(cases):
        x, v = initial_state(seed)
        for r, val in over.items(): x[r] = val
        o = out[i * (STATE + BUFSIZE):(i + 1) * (STATE + BUFSIZE)]
        qx = struct.unpack_from('<32Q', o, 0)
        qv = struct.unpack_from('<64Q', o, 256)
        changes = ['x%d=%x' % (r, qx[r]) for r in range(32) if qx[r] != x[r]]
        changes += ['v%d=%x:%x' % (r, qv[2 * r], qv[2 * r + 1]) for r in range(32)
                    if (qv[2 * r], qv[2 * r + 1]) != (v[2 * r], v[2 * r + 1])]
        mem, b = o[STATE:], 0
        while b < BUFSIZE:
            if mem[b] != template[b]:
                e = b
                while e < BUFSIZE and mem[e] != template[e]: e += 1
                changes.append('m%x=%s' % (b, mem[b:e].hex()))
                b = e
            else:
                b += 1
        overrides = ','.join('%d=%x' % (r, val) for r, val in sorted(over.items())) or '-'
        f.write('%s %08x %x %s : %s\n' % (name, w, seed, overrides, ' '.join(changes) or '-'))
print(len(cases), 'vectors')
