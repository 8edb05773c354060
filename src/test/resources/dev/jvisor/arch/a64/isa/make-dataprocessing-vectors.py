#!/usr/bin/env python3
"""Makes dataprocessing-vectors.txt: random words from each row of DataProcessing.java, with random and boundary
inputs, run on qemu-aarch64 in one static program, with X0..X7, SP and NZCV recorded after each word.
Needs aarch64-linux-gnu-as/ld/objdump and qemu-aarch64.
usage: make-dataprocessing-vectors.py DataProcessing.java words_per_row seed out.txt"""
import re, random, subprocess, sys, os, tempfile
src = open(sys.argv[1]).read()
per_row = int(sys.argv[2]); rnd = random.Random(int(sys.argv[3])); out_path = sys.argv[4]
rows = re.findall(r'b\.row\("([A-Za-z0-9_]+)", "([^"]+)"', src)
def parse(p):
    mask = value = 0; fields = {}; bit = 32
    for tok in p.split():
        if ':' in tok:
            n, w = tok.split(':'); w = int(w); bit -= w; fields[n] = (bit, w)
        elif '=' in tok:
            n, bits = tok.split('='); bit -= len(bits); fields[n] = (bit, len(bits))
            for i, c in enumerate(bits):
                b = bit + len(bits) - 1 - i
                if c in '01': mask |= 1 << b; value |= int(c) << b
        else:
            for c in tok:
                bit -= 1
                if c in '01': mask |= 1 << bit; value |= int(c) << bit
    assert bit == 0
    return mask, value, fields
INTERESTING = [0, 1, 2, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x80000000, 0x7FFFFFFF,
               0xFFFFFFFF, 0x100000000, 0xFFFFFFFF80000000, 63, 64, 32, 31, 0x3F]
def val():
    r = rnd.random()
    if r < 0.4: return rnd.choice(INTERESTING)
    if r < 0.6: return rnd.getrandbits(32)
    return rnd.getrandbits(64)
work = tempfile.mkdtemp()
cases = []
for name, pat in rows:
    if name in ('ADR', 'ADRP'): continue
    mask, value, fields = parse(pat)
    for _ in range(per_row):
        w = (rnd.getrandbits(32) & ~mask) | value
        for f in ('Rd', 'Rn', 'Rm', 'Ra'):
            if f in fields:
                lsb, width = fields[f]
                reg = rnd.randrange(8) if rnd.random() < 0.9 else 31
                if f == 'Rd' and reg == 31 and rnd.random() < 0.5: reg = rnd.randrange(8)
                w = (w & ~(31 << lsb)) | (reg << lsb)
        cases.append((name, w, [val() for _ in range(8)], rnd.getrandbits(4) << 28))
# Which words binutils calls undefined; qemu would SIGILL on them and end the run, so those only get checked for
# agreement on undefinedness.
binpath = os.path.join(work, 'words.bin')
open(binpath, 'wb').write(b''.join(w.to_bytes(4, 'little') for _, w, _, _ in cases))
dis = subprocess.run(['aarch64-linux-gnu-objdump', '-D', '-b', 'binary', '-m', 'aarch64', binpath],
                     capture_output=True, text=True).stdout
undefined = {}
for line in dis.splitlines():
    m = re.match(r'\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)', line)
    if m: undefined[int(m.group(1), 16) // 4] = '.inst' in m.group(3) or 'undefined' in m.group(3)
# The program: for each defined case load x0..x7 and NZCV, run the word, store x0..x7 and NZCV. SP is kept in x28
# around the word so that a word writing SP (Rd 31 in an SP form) cannot break the harness; SP's value after the
# word is stored too.
asm = ['.text', '.global _start', '_start:', 'mov x28, sp']
run = [i for i in range(len(cases)) if not undefined[i]]
for k, i in enumerate(run):
    name, w, regs, nzcv = cases[i]
    asm += [f'adrp x9, in{k}', f'add x9, x9, :lo12:in{k}', 'ldp x0, x1, [x9]', 'ldp x2, x3, [x9, #16]', 'ldp x4, x5, [x9, #32]',
            'ldp x6, x7, [x9, #48]', 'ldr x10, [x9, #64]', 'msr nzcv, x10', 'ldr x10, [x9, #72]', 'mov sp, x10',
            f'.inst 0x{w:08x}',
            'mov x11, sp', 'mov sp, x28', f'adrp x9, out{k}', f'add x9, x9, :lo12:out{k}', 'stp x0, x1, [x9]', 'stp x2, x3, [x9, #16]',
            'stp x4, x5, [x9, #32]', 'stp x6, x7, [x9, #48]', 'mrs x10, nzcv', 'str x10, [x9, #64]',
            'str x11, [x9, #72]']
asm += ['mov x0, #1', 'adrp x1, out0', 'add x1, x1, :lo12:out0', f'ldr x2, ={len(run) * 80}', 'mov x8, #64', 'svc #0',
        'mov x0, #0', 'mov x8, #93', 'svc #0', '.ltorg', '.data', '.balign 16']
SP_IN = 0x5000
for k, i in enumerate(run):
    name, w, regs, nzcv = cases[i]
    asm.append(f'in{k}: .quad ' + ', '.join(str(r) for r in regs) + f', {nzcv}, {SP_IN}')
asm += ['.bss', '.balign 16']
for k in range(len(run)): asm.append(f'out{k}: .skip 80')
prog = os.path.join(work, 't')
open(prog + '.s', 'w').write('\n'.join(asm) + '\n')
subprocess.run(['aarch64-linux-gnu-as', '-o', prog + '.o', prog + '.s'], check=True)
subprocess.run(['aarch64-linux-gnu-ld', '-o', prog, prog + '.o'], check=True)
res = subprocess.run(['qemu-aarch64', '-cpu', 'max', prog], capture_output=True)
assert res.returncode == 0, res
data = res.stdout
assert len(data) == len(run) * 80, (len(data), len(run))
with open(out_path, 'w') as f:
    f.write('# name insn nzcvIn x0..x7 sp : nzcvOut x0..x7 sp   (undefined words: name insn U)\n')
    k = 0
    for i, (name, w, regs, nzcv) in enumerate(cases):
        if undefined[i]:
            f.write(f'{name} {w:08x} U\n'); continue
        o = [int.from_bytes(data[k*80 + 8*j: k*80 + 8*j + 8], 'little') for j in range(10)]
        k += 1
        f.write(f'{name} {w:08x} {nzcv >> 28:x} ' + ' '.join(f'{r:x}' for r in regs) + f' {SP_IN:x} : '
                + f'{o[8] >> 28:x} ' + ' '.join(f'{r:x}' for r in o[:8]) + f' {o[9]:x}\n')
print(len(cases), 'cases,', len(run), 'run on qemu')
