/*
 * Reference runner for SimdOracleTest: executes each instruction word from a file on an AArch64 CPU (or
 * qemu-aarch64) with registers filled from the same generator the test uses, and prints what changed.
 *
 *   aarch64-linux-gnu-gcc -O2 -static -o oracle SimdOracle.c && qemu-aarch64 ./oracle words.bin > SimdOracle.txt
 *
 * Each output line: the word in hex, then "undef" or the changed registers (vN=hi:lo, xN=value) and "qc" when
 * FPSR.QC got set.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* State block: v0..v7 (lo, hi), x0..x7, fpsr. */
struct state { uint64_t v[16]; uint64_t x[8]; uint64_t fpsr; };

extern char stub_start[], stub_insn[], stub_end[];
__asm__(
    ".text\n.global stub_start, stub_insn, stub_end\n"
    "stub_start:\n"
    " stp x29, x30, [sp, #-32]!\n str x19, [sp, #16]\n mov x19, x0\n"
    " ldp q0, q1, [x19, #0]\n ldp q2, q3, [x19, #32]\n ldp q4, q5, [x19, #64]\n ldp q6, q7, [x19, #96]\n"
    " ldp x0, x1, [x19, #128]\n ldp x2, x3, [x19, #144]\n ldp x4, x5, [x19, #160]\n ldp x6, x7, [x19, #176]\n"
    " msr fpsr, xzr\n"
    "stub_insn:\n nop\n"
    " stp q0, q1, [x19, #0]\n stp q2, q3, [x19, #32]\n stp q4, q5, [x19, #64]\n stp q6, q7, [x19, #96]\n"
    " stp x0, x1, [x19, #128]\n stp x2, x3, [x19, #144]\n stp x4, x5, [x19, #160]\n stp x6, x7, [x19, #176]\n"
    " mrs x0, fpsr\n str x0, [x19, #192]\n"
    " ldr x19, [sp, #16]\n ldp x29, x30, [sp], #32\n ret\n"
    "stub_end:\n");

static sigjmp_buf escape;
static void on_sigill(int sig) { (void) sig; siglongjmp(escape, 1); }

/* splitmix64: the same sequence SimdOracleTest computes. */
static uint64_t rng;
static uint64_t next(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Lanes of esize bits, each 0, 1, 2, -1, the signed extremes or their neighbours, or random. */
static uint64_t lane_edges(int esize) {
    uint64_t w = 0, mask = esize == 64 ? ~0ull : (1ull << esize) - 1, min = 1ull << (esize - 1);
    for (int s = 0; s < 64; s += esize) {
        uint64_t v;
        switch (next() & 7) {
        case 0: v = 0; break;
        case 1: v = 1; break;
        case 2: v = ~0ull; break;
        case 3: v = min; break;
        case 4: v = min - 1; break;
        case 5: v = min + 1; break;
        case 6: v = 2; break;
        default: v = next(); break;
        }
        w |= (v & mask) << s;
    }
    return w;
}

/* Random words biased towards lane edge cases and small signed shift counts. */
static uint64_t interesting(void) {
    static const uint8_t edges[8] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x3f};
    uint64_t mode = next() & 7, r, w = 0;
    switch (mode) {
    case 0: case 1: return next();
    case 2: r = next(); for (int i = 0; i < 8; i++) w |= (uint64_t) edges[r >> (3 * i) & 7] << (8 * i); return w;
    case 3: r = next(); for (int i = 0; i < 8; i++) w |= (uint64_t) (uint8_t) ((int8_t) (r >> (8 * i)) >> 3) << (8 * i); return w;
    case 4: return next() & 0x0F0F0F0F0F0F0F0Full;
    default: return lane_edges(16 << (mode - 5));
    }
}

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    size_t size = stub_end - stub_start, at = stub_insn - stub_start;
    char *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(code, stub_start, size);
    signal(SIGILL, on_sigill);
    uint32_t word;
    for (uint64_t index = 0; fread(&word, 4, 1, f) == 1; index++) {
        struct state in, out;
        rng = index;
        for (int i = 0; i < 16; i++) in.v[i] = interesting();
        for (int i = 0; i < 8; i++) in.x[i] = interesting();
        in.fpsr = 0;
        out = in;
        memcpy(code + at, &word, 4);
        __builtin___clear_cache(code, code + size);
        printf("%08x", word);
        if (sigsetjmp(escape, 1)) {
            printf(" undef\n");
            continue;
        }
        ((void (*)(struct state *)) code)(&out);
        for (int i = 0; i < 8; i++)
            if (out.v[2 * i] != in.v[2 * i] || out.v[2 * i + 1] != in.v[2 * i + 1])
                printf(" v%d=%016llx:%016llx", i, (unsigned long long) out.v[2 * i + 1], (unsigned long long) out.v[2 * i]);
        for (int i = 0; i < 8; i++)
            if (out.x[i] != in.x[i]) printf(" x%d=%016llx", i, (unsigned long long) out.x[i]);
        if (out.fpsr & (1 << 27)) printf(" qc");
        printf("\n");
    }
    return 0;
}
