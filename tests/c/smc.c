/* Self-modifying and generated code: a buffer of machine code written, run until it is hot (so a translator has
 * translated it), rewritten and run again; once in a writable and executable mapping, once JIT-style with mprotect
 * flipping the pages between writable and executable; and a generated loop that patches an instruction in its own
 * page between runs. Each rewrite is followed by the cache maintenance the architecture requires
 * (__builtin___clear_cache: DC CVAU, IC IVAU, ISB), so every correct engine prints the new results. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint32_t (*fn_t)(uint32_t);

static uint32_t movz_w0(uint32_t imm) { return 0x52800000u | (imm & 0xFFFF) << 5; }
static uint32_t add_w0_w0(uint32_t imm) { return 0x11000000u | (imm & 0xFFF) << 10; }   /* add w0, w0, #imm */
static const uint32_t RET = 0xd65f03c0u;

static void emit(uint32_t *code, const uint32_t *words, int n) {
    memcpy(code, words, n * sizeof *words);
    __builtin___clear_cache((char *)code, (char *)(code + n));
}

/* Calls f enough times that any engine compiling hot code compiles it. */
static uint64_t hot_sum(fn_t f, uint32_t arg) {
    uint64_t s = 0;
    for (int i = 0; i < 5000; i++) s += f(arg + (uint32_t)(i & 7));
    return s;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);

    uint32_t *rwx = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED) { perror("mmap rwx"); return 1; }
    for (uint32_t k = 1; k <= 4; k++) {
        uint32_t words[] = { add_w0_w0(k * 100), RET };
        emit(rwx, words, 2);
        printf("rwx version %u: f(1) = %u, hot sum = %llu\n", k, ((fn_t)rwx)(1),
               (unsigned long long)hot_sum((fn_t)rwx, 1));
    }

    uint32_t *jit = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (jit == MAP_FAILED) { perror("mmap jit"); return 1; }
    for (uint32_t k = 1; k <= 4; k++) {
        if (mprotect(jit, 2 * page, PROT_READ | PROT_WRITE) != 0) { perror("mprotect rw"); return 1; }
        /* The function straddles the page boundary: its first instruction ends one page, the rest start the next. */
        uint32_t *at = jit + page / 4 - 1;
        uint32_t words[] = { movz_w0(k * 1000), add_w0_w0(k), RET };
        emit(at, words, 3);
        if (mprotect(jit, 2 * page, PROT_READ | PROT_EXEC) != 0) { perror("mprotect rx"); return 1; }
        printf("jit version %u: f(0) = %u, hot sum = %llu\n", k, ((fn_t)at)(0), (unsigned long long)hot_sum((fn_t)at, 0));
    }

    /* A counting loop whose step is an immediate the program patches in place, in the page the loop runs from:
     *   mov w1, #0 ; loop: add w0, w0, #STEP ; add w1, w1, #1 ; cmp w1, #1000 ; b.ne loop ; ret */
    uint32_t loop[] = { 0x52800001u, add_w0_w0(1), 0x11000421u, 0x710fa03fu, 0x54ffffa1u, RET };
    emit(rwx, loop, 6);
    for (uint32_t step = 1; step <= 5; step++) {
        uint32_t patched = add_w0_w0(step * 3);
        emit(rwx + 1, &patched, 1);
        printf("patched loop step %u: %u\n", step * 3, ((fn_t)rwx)(7));
    }
    puts("done");
    return 0;
}
