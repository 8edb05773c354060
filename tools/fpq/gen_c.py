from ops import OPS
out = ['#include <stdio.h>', '#include <stdint.h>', '#include <string.h>', '#include <stdlib.h>']
for name, fmt, kind, body, nin in OPS:
    movs = []
    ins = {'s': 'fmov d1, %[a]\\n fmov d2, %[b]\\n fmov d3, %[c]\\n', 'd': 'fmov d1, %[a]\\n fmov d2, %[b]\\n fmov d3, %[c]\\n',
           'h': 'fmov d1, %[a]\\n', 'iw': 'mov x1, %[a]\\n', 'ix': 'mov x1, %[a]\\n'}[fmt]
    if kind == 'fv':
        ins = 'fmov d1, %[a]\\n'
    if kind in ('f', 'fv'):
        tail = 'fmov %[r], d0\\n mov v9.d[0], v0.d[1]\\n fmov %[hi], d9\\n'
    elif kind == 'w' or kind == 'x':
        tail = 'mov %[r], x0\\n mov %[hi], xzr\\n'
    else:
        tail = 'mrs %[r], nzcv\\n mov %[hi], xzr\\n'
    out.append(f'''static void run_{name}(uint64_t fpcr, uint64_t a, uint64_t b, uint64_t c, uint64_t *r, uint64_t *hi, uint64_t *s) {{
  uint64_t rr, hh, ss;
  asm volatile("msr fpcr, %[fpcr]\\n msr fpsr, xzr\\n mov x0, #0x5555\\n dup v0.2d, x0\\n {ins} {body}\\n mrs %[s], fpsr\\n msr fpcr, xzr\\n {tail}"
    : [r]"=&r"(rr), [hi]"=&r"(hh), [s]"=&r"(ss) : [fpcr]"r"(fpcr), [a]"r"(a), [b]"r"(b), [c]"r"(c)
    : "x0", "x1", "v0", "v1", "v2", "v3", "v9", "cc", "memory");
  *r = rr; *hi = hh; *s = ss;
}}''')
out.append('int main(void) { char op[64]; unsigned long long fpcr, a, b, c; uint64_t r, hi, s;')
out.append(' while (scanf("%63s %llx %llx %llx %llx", op, &fpcr, &a, &b, &c) == 5) {')
for name, *_ in OPS:
    out.append(f'  if (!strcmp(op, "{name}")) run_{name}(fpcr, a, b, c, &r, &hi, &s); else')
out.append('  { fprintf(stderr, "bad op %s\\n", op); return 1; }')
out.append('  printf("%s %llx %llx %llx %llx %llx %llx %llx\\n", op, fpcr, a, b, c, (unsigned long long) r, (unsigned long long) hi, (unsigned long long) s); }')
out.append(' return 0; }')
open('fpq.c', 'w').write('\n'.join(out) + '\n')
