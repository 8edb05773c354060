/* String and memory functions on buffers at every alignment and many lengths. glibc picks SIMD implementations of
 * these (by HWCAP) that read in 16-byte or larger aligned chunks, and relies on never crossing into an unmapped page:
 * strings that end right before a PROT_NONE page check both the vector instructions and the page permissions.
 * memcmp/strcmp results are reduced to their sign, the only part C defines. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BUF 640
static unsigned char src_buf[BUF + 64], dst_buf[BUF + 64];

static uint64_t hash_bytes(const unsigned char *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)('a' + (i * 7 + seed * 13) % 26);
}

static const size_t lengths[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 95, 127, 128, 129, 200, 255, 256, 257, 511, 600};
#define NL (sizeof lengths / sizeof lengths[0])

static void copies(void) {
    puts("== memcpy memmove memset");
    for (int so = 0; so < 16; so++) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (int d = 0; d < 16; d += 1 + (so & 1) * 2) {
            for (size_t li = 0; li < NL; li++) {
                size_t n = lengths[li];
                fill(src_buf, (size_t)so + d + n + 32, (unsigned)(so + d));
                memset(dst_buf, '#', (size_t)d + n + 32);
                memcpy(dst_buf + d, src_buf + so, n);
                h = hash_bytes(dst_buf, (size_t)d + n + 32, h);  /* includes bytes that must be untouched */
                /* memmove in both directions within one buffer, overlapping by various amounts */
                memmove(src_buf + so + d, src_buf + so, n);
                h = hash_bytes(src_buf, (size_t)so + d + n + 32, h);
                memmove(src_buf + so, src_buf + so + d, n);
                h = hash_bytes(src_buf, (size_t)so + d + n + 32, h);
                memset(dst_buf + d, (int)(n & 0xff), n);
                h = hash_bytes(dst_buf, (size_t)d + n + 32, h);
            }
        }
        printf("src offset %2d: %016llx\n", so, (unsigned long long)h);
    }
}

static void compares(void) {
    puts("== memcmp strcmp strncmp strlen");
    for (int a = 0; a < 16; a++) {
        uint64_t h = 0;
        for (int b = 0; b < 16; b += 3) {
            for (size_t li = 0; li < NL; li++) {
                size_t n = lengths[li];
                unsigned char *x = src_buf + a, *y = dst_buf + b;
                fill(x, n, 1); fill(y, n, 1);
                x[n] = 0; y[n] = 0;
                h = h * 3 + (uint64_t)(sign(memcmp(x, y, n)) + 1);
                h = h * 3 + (uint64_t)(sign(strcmp((char *)x, (char *)y)) + 1);
                h = h * 31 + strlen((char *)x);
                for (size_t k = 0; k < n; k += 1 + n / 5) {  /* a difference at position k, both directions */
                    y[k] ^= 0x80;
                    h = h * 3 + (uint64_t)(sign(memcmp(x, y, n)) + 1);
                    h = h * 3 + (uint64_t)(sign(strcmp((char *)x, (char *)y)) + 1);
                    h = h * 3 + (uint64_t)(sign(strncmp((char *)x, (char *)y, k)) + 1);
                    h = h * 3 + (uint64_t)(sign(strncmp((char *)y, (char *)x, k + 1)) + 1);
                    y[k] ^= 0x80;
                    y[k] = 0;  /* y becomes a prefix of x */
                    h = h * 3 + (uint64_t)(sign(strcmp((char *)x, (char *)y)) + 1);
                    h = h * 31 + strlen((char *)y);
                    y[k] = x[k];
                }
            }
        }
        printf("offset %2d: %016llx\n", a, (unsigned long long)h);
    }
}

static long where(const void *found, const void *base) {
    return found ? (long)((const char *)found - (const char *)base) : -1;
}

static void searches(void) {
    puts("== strchr strrchr memchr strstr");
    for (int a = 0; a < 16; a++) {
        uint64_t h = 0;
        for (size_t li = 0; li < NL; li++) {
            size_t n = lengths[li];
            char *s = (char *)src_buf + a;
            fill((unsigned char *)s, n, 3);
            s[n] = 0;
            for (int c = 'a'; c <= 'z' + 1; c += 5) {
                h = h * 1000003 + (uint64_t)where(strchr(s, c), s);
                h = h * 1000003 + (uint64_t)where(strrchr(s, c), s);
                h = h * 1000003 + (uint64_t)where(memchr(s, c, n), s);
            }
            h = h * 1000003 + (uint64_t)where(strchr(s, 0), s);
            const char *needles[] = {"", "a", "hov", "vcjq", "zgnu", "xyz", "bipwdkry"};
            for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) h = h * 1000003 + (uint64_t)where(strstr(s, needles[k]), s);
        }
        printf("offset %2d: %016llx\n", a, (unsigned long long)h);
    }
}

/* Strings whose terminator is the last byte before an inaccessible page. */
static void page_edges(void) {
    puts("== page edges");
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + page, (size_t)page, PROT_NONE) != 0) { puts("mmap failed"); return; }
    unsigned char *end = map + page;
    for (size_t n = 0; n < 80; n += 1 + n / 8) {
        unsigned char *s = end - n - 1;
        fill(s, n, 5);
        s[n] = 0;
        size_t len = strlen((char *)s);
        long chr = where(strchr((char *)s, 'q'), s), rchr = where(strrchr((char *)s, 'a'), s), nul = where(memchr(s, 0, n + 1), s);
        memset(dst_buf, 0, sizeof dst_buf);
        memcpy(dst_buf, s, n + 1);
        int cmp = sign(strcmp((char *)s, (char *)dst_buf)), mcmp = sign(memcmp(s, dst_buf, n + 1));
        char copy[128];
        strcpy(copy, (char *)s);
        printf("n %2zu: strlen %zu strchr %ld strrchr %ld memchr %ld cmp %d %d copy %s\n", n, len, chr, rchr, nul, cmp, mcmp,
               strlen(copy) == n && memcmp(copy, s, n) == 0 ? "ok" : "BAD");
    }
    munmap(map, (size_t)page * 2);
}

int main(void) {
    copies();
    compares();
    searches();
    page_edges();
    puts("done");
    return 0;
}
