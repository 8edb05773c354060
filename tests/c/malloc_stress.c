/* malloc stress: a deterministic random mix of malloc/calloc/realloc/free/posix_memalign over sizes from 1 byte to
 * beyond the mmap threshold, with every block filled with a tag and checked before it is freed or resized. Exercises
 * brk, mmap, munmap and mremap underneath, and glibc's SIMD memset/memcpy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024
#define OPS 8000

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint32_t next(void) {  /* xorshift64*: fixed sequence, no libc state */
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static size_t random_size(void) {
    uint32_t r = next() % 100;
    if (r < 60) return 1 + next() % 64;
    if (r < 90) return 65 + next() % 4000;
    if (r < 99) return 4096 + next() % 30000;
    return 128 * 1024 + next() % (256 * 1024);  /* above the default mmap threshold */
}

struct block { unsigned char *p; size_t size; unsigned char tag; };
static struct block slots[SLOTS];
static unsigned long errors, checksum;

/* Compares in 4 KiB chunks against a reference block with memcmp: fast enough for the large blocks, and one more
 * workout for glibc's vectorised memcmp. */
static unsigned char reference[4096];

static int all_equal(const unsigned char *p, size_t n, unsigned char value) {
    memset(reference, value, sizeof reference);
    for (size_t off = 0; off < n; off += sizeof reference) {
        size_t len = n - off < sizeof reference ? n - off : sizeof reference;
        if (memcmp(p + off, reference, len) != 0) return 0;
    }
    return 1;
}

static void check(struct block *b, size_t upto) {
    size_t n = b->size < upto ? b->size : upto;
    if (!all_equal(b->p, n, b->tag)) errors++;
    checksum = checksum * 31 + n + b->tag;
}

int main(void) {
    unsigned long mallocs = 0, callocs = 0, reallocs = 0, frees = 0, aligned = 0, misaligned = 0, big = 0;
    for (int op = 0; op < OPS; op++) {
        struct block *b = &slots[next() % SLOTS];
        uint32_t kind = next() % 10;
        if (b->p == NULL) {
            size_t size = random_size();
            if (size >= 128 * 1024) big++;
            if (kind < 6) {
                b->p = malloc(size); mallocs++;
            } else if (kind < 8) {
                b->p = calloc(1, size); callocs++;
                if (!all_equal(b->p, size, 0)) errors++;
            } else {
                size_t align = (size_t)16 << (next() % 8);
                void *p = NULL;
                if (posix_memalign(&p, align, size) != 0) p = NULL;
                if ((uintptr_t)p % align) misaligned++;
                b->p = p; aligned++;
            }
            if (b->p == NULL) { puts("allocation failed"); return 1; }
            b->size = size;
            b->tag = (unsigned char)(next() | 1);
            memset(b->p, b->tag, size);
        } else if (kind < 3) {
            check(b, b->size);
            size_t size = random_size();
            unsigned char *p = realloc(b->p, size);
            if (p == NULL) { puts("realloc failed"); return 1; }
            reallocs++;
            b->p = p;
            check(b, size);  /* the common prefix must have moved intact */
            b->size = size;
            memset(b->p, b->tag, size);
        } else {
            check(b, b->size);
            free(b->p); frees++;
            b->p = NULL;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p) { check(&slots[i], slots[i].size); free(slots[i].p); frees++; }
    }
    printf("malloc %lu calloc %lu memalign %lu realloc %lu free %lu big %lu\n", mallocs, callocs, aligned, reallocs, frees, big);
    printf("errors %lu misaligned %lu checksum %016lx\n", errors, misaligned, checksum);
    /* Many small blocks then freeing every other one: fragmentation and coalescing. */
    void *ptrs[4000];
    for (int i = 0; i < 4000; i++) { ptrs[i] = malloc(16 + (size_t)(i % 97) * 8); memset(ptrs[i], i & 0xff, 16); }
    unsigned long sum = 0;
    for (int i = 0; i < 4000; i += 2) free(ptrs[i]);
    for (int i = 1; i < 4000; i += 2) { sum += ((unsigned char *)ptrs[i])[15]; free(ptrs[i]); }
    printf("fragmentation sum %lu\n", sum);
    puts("done");
    return errors != 0 || misaligned != 0;
}
