"""Writes the op tables the tests read: name, encoding, operand kind and objdump's text for every op body."""
import re, subprocess, sys, tempfile, os
from ops import OPS
from vops import VOPS

def encode(bodies):
    with tempfile.TemporaryDirectory() as d:
        src, obj = os.path.join(d, 'b.s'), os.path.join(d, 'b.o')
        open(src, 'w').write('\n'.join(bodies) + '\n')
        subprocess.run(['aarch64-linux-gnu-as', '-o', obj, src], check=True)
        dump = subprocess.run(['aarch64-linux-gnu-objdump', '-d', obj], capture_output=True, text=True).stdout
    words = [m.groups() for m in (re.match(r'\s+[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)', l) for l in dump.splitlines()) if m]
    assert len(words) == len(bodies)
    return [(w, t.replace('\t', ' ')) for w, t in words]

out = sys.argv[1] if len(sys.argv) > 1 else '../../src/test/resources/dev/jvisor/arch/a64'
with open(os.path.join(out, 'fp-qemu-ops.txt'), 'w') as f:
    for (name, fmt, kind, body, nin), (w, text) in zip(OPS, encode([o[3] for o in OPS])):
        f.write(f'{name} {w} {fmt} {kind} {text}\n')
with open(os.path.join(out, 'simd-fp-qemu-ops.txt'), 'w') as f:
    for (name, fmt, body), (w, text) in zip(VOPS, encode([o[2] for o in VOPS])):
        f.write(f'{name} {w} {fmt} {text}\n')
