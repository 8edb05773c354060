from vops import VOPS
out = ['#include <stdio.h>', '#include <stdint.h>', '#include <string.h>']
for name, fmt, body in VOPS:
    out.append(f'''static void run_{name}(uint64_t fpcr, uint64_t *in, uint64_t *res) {{
  uint64_t ss;
  asm volatile("ldp q0, q1, [%[in]]\\n ldp q2, q3, [%[in], #32]\\n msr fpcr, %[fpcr]\\n msr fpsr, xzr\\n {body}\\n mrs %[s], fpsr\\n msr fpcr, xzr\\n str q0, [%[res]]"
    : [s]"=&r"(ss) : [fpcr]"r"(fpcr), [in]"r"(in), [res]"r"(res) : "v0", "v1", "v2", "v3", "memory");
  res[2] = ss;
}}''')
out.append('int main(void) { char op[64]; unsigned long long fpcr, in[8]; uint64_t res[3];')
out.append(' while (scanf("%63s %llx %llx %llx %llx %llx %llx %llx %llx %llx", op, &fpcr, &in[0], &in[1], &in[2], &in[3], &in[4], &in[5], &in[6], &in[7]) == 10) {')
for name, *_ in VOPS:
    out.append(f'  if (!strcmp(op, "{name}")) run_{name}(fpcr, (uint64_t *) in, res); else')
out.append('  { fprintf(stderr, "bad op %s\\n", op); return 1; }')
out.append('  printf("%s %llx", op, fpcr); for (int i = 0; i < 8; i++) printf(" %llx", in[i]);')
out.append('  printf(" %llx %llx %llx\\n", (unsigned long long) res[0], (unsigned long long) res[1], (unsigned long long) res[2]); }')
out.append(' return 0; }')
open('fpv.c', 'w').write('\n'.join(out) + '\n')
