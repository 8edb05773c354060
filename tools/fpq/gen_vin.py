import random, sys
from vops import VOPS
import gen_in as g
random.seed(int(sys.argv[1])); N = int(sys.argv[2])
def lanes(fmt):
    if fmt == 'h':
        v = [g.value('h') for _ in range(8)]
        return [sum(v[i + 4 * k] << (16 * i) for i in range(4)) for k in range(2)]
    if fmt == 's':
        v = [g.value('s') for _ in range(4)]
        return [v[0] | v[1] << 32, v[2] | v[3] << 32]
    if fmt == 'd':
        return [g.value('d'), g.value('d')]
    if fmt == 'is':
        v = [g.integer('w') for _ in range(4)]
        return [v[0] | v[1] << 32, v[2] | v[3] << 32]
    return [g.integer('x'), g.integer('x')]
for name, fmt, body in VOPS:
    for i in range(N):
        regs = [random.getrandbits(64), random.getrandbits(64)] + lanes(fmt) + lanes(fmt.lstrip('i')) + lanes(fmt.lstrip('i'))
        if fmt in ('s', 'd'):
            regs[0:2] = lanes(fmt)
        print(name, hex(g.fpcr(name))[2:], *[hex(x)[2:] for x in regs])
