/* Integer edge cases: overflow detection, shifts by every amount (including register shifts whose amount the
 * hardware masks), division corner cases that C leaves undefined but AArch64 defines (sdiv INT_MIN/-1, x/0), bit
 * operations, extensions, and 128-bit arithmetic with its own decimal printer. Prints one deterministic transcript. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

/* Hides a value from the optimizer so every operation below happens at run time. */
#define OPAQUE(v) ({ __typeof__((v) + 0) o_ = (v); __asm__ volatile("" : "+r"(o_)); o_; })

static const int64_t values[] = {
    0, 1, -1, 2, -2, 7, -7, 127, -128, 255, 32767, -32768, 65535, INT32_MAX, INT32_MIN, UINT32_MAX,
    (int64_t)0x8000000000000000ULL, INT64_MAX, 0x123456789abcdefLL, -0x123456789abcdefLL, 1000000007, 0x5555555555555555LL,
};
#define NVALUES (sizeof values / sizeof values[0])

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static int64_t sdiv64(int64_t a, int64_t b) { int64_t r; __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t udiv64(uint64_t a, uint64_t b) { uint64_t r; __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static int32_t sdiv32(int32_t a, int32_t b) { int32_t r; __asm__("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t udiv32(uint32_t a, uint32_t b) { uint32_t r; __asm__("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t lslv(uint64_t a, uint64_t n) { uint64_t r; __asm__("lsl %0, %1, %2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint64_t lsrv(uint64_t a, uint64_t n) { uint64_t r; __asm__("lsr %0, %1, %2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint64_t asrv(uint64_t a, uint64_t n) { uint64_t r; __asm__("asr %0, %1, %2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint64_t rorv(uint64_t a, uint64_t n) { uint64_t r; __asm__("ror %0, %1, %2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint32_t lslv32(uint32_t a, uint32_t n) { uint32_t r; __asm__("lsl %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint32_t asrv32(uint32_t a, uint32_t n) { uint32_t r; __asm__("asr %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint32_t rorv32(uint32_t a, uint32_t n) { uint32_t r; __asm__("ror %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(n)); return r; }
static uint64_t rbit64(uint64_t a) { uint64_t r; __asm__("rbit %0, %1" : "=r"(r) : "r"(a)); return r; }
static uint64_t cls64(uint64_t a) { uint64_t r; __asm__("cls %0, %1" : "=r"(r) : "r"(a)); return r; }

/* Decimal printing of unsigned/signed 128-bit values: glibc's printf has no conversion for them. */
static void print_u128(unsigned __int128 v) {
    char buf[48];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + (int)(v % 10)); v /= 10; } while (v);
    fputs(buf + i, stdout);
}

static void print_i128(__int128 v) {
    if (v < 0) { putchar('-'); print_u128(-(unsigned __int128)v); } else print_u128((unsigned __int128)v);
}

static void overflow_checks(void) {
    puts("== overflow");
    for (size_t i = 0; i < NVALUES; i++) {
        for (size_t j = 0; j < NVALUES; j++) {
            int64_t a = OPAQUE(values[i]), b = OPAQUE(values[j]);
            int64_t s, d, m; int32_t s32, m32; uint64_t us, um; uint32_t um32;
            int os = __builtin_add_overflow(a, b, &s), od = __builtin_sub_overflow(a, b, &d),
                om = __builtin_mul_overflow(a, b, &m), os32 = __builtin_add_overflow((int32_t)a, (int32_t)b, &s32),
                om32 = __builtin_mul_overflow((int32_t)a, (int32_t)b, &m32),
                ous = __builtin_add_overflow((uint64_t)a, (uint64_t)b, &us),
                oum = __builtin_mul_overflow((uint64_t)a, (uint64_t)b, &um),
                oum32 = __builtin_mul_overflow((uint32_t)a, (uint32_t)b, &um32);
            if (i % 3 == 0 && j % 4 == 0)
                printf("%" PRId64 " %" PRId64 ": add %" PRId64 "/%d sub %" PRId64 "/%d mul %" PRId64 "/%d add32 %d/%d mul32 %d/%d uadd %" PRIu64 "/%d umul %" PRIu64 "/%d umul32 %u/%d\n",
                       a, b, s, os, d, od, m, om, s32, os32, m32, om32, us, ous, um, oum, um32, oum32);
            else {
                static uint64_t h;
                h = mix(h, (uint64_t)s ^ (uint64_t)os << 1 ^ (uint64_t)d ^ (uint64_t)om << 3 ^ (uint64_t)m);
                h = mix(h, (uint64_t)(uint32_t)s32 ^ (uint64_t)(uint32_t)m32 << 32 ^ (uint64_t)(os32 | om32 << 1 | ous << 2 | oum << 3 | oum32 << 4));
                h = mix(h, us ^ um ^ um32);
                if (i == NVALUES - 1 && j == NVALUES - 1) printf("overflow hash %016" PRIx64 "\n", h);
            }
        }
    }
}

static void shift_checks(void) {
    puts("== shifts");
    const uint64_t samples[] = {1, 0x8000000000000000ULL, 0xfedcba9876543210ULL, 0x7fffffffffffffffULL, 0x80000001ULL};
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        uint64_t h = 0, h32 = 0;
        for (uint64_t n = 0; n < 200; n++) {
            uint64_t v = OPAQUE(samples[k]);
            h = mix(h, lslv(v, n)); h = mix(h, lsrv(v, n)); h = mix(h, asrv(v, n)); h = mix(h, rorv(v, n));
            h32 = mix(h32, lslv32((uint32_t)v, (uint32_t)n)); h32 = mix(h32, asrv32((uint32_t)v, (uint32_t)n));
            h32 = mix(h32, rorv32((uint32_t)v, (uint32_t)n));
        }
        uint64_t v = OPAQUE(samples[k]);
        printf("%016" PRIx64 ": lsl64 %016" PRIx64 " lsr65 %016" PRIx64 " asr127 %016" PRIx64 " ror68 %016" PRIx64
               " lsl32by33 %08x asr32by63 %08x hash %016" PRIx64 " %016" PRIx64 "\n",
               v, lslv(v, 64), lsrv(v, 65), asrv(v, 127), rorv(v, 68), lslv32((uint32_t)v, 33), asrv32((uint32_t)v, 63), h, h32);
        for (int n = 0; n < 64; n += 9)
            printf("  c-shifts by %d: %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", n, v << OPAQUE(n), v >> OPAQUE(n),
                   (uint64_t)((int64_t)v >> OPAQUE(n)));
    }
}

static void division_checks(void) {
    puts("== division");
    printf("sdiv64 INT64_MIN/-1 = %" PRId64 "\n", sdiv64(OPAQUE(INT64_MIN), OPAQUE((int64_t)-1)));
    printf("sdiv32 INT32_MIN/-1 = %d\n", sdiv32(OPAQUE(INT32_MIN), OPAQUE(-1)));
    printf("sdiv64 5/0 = %" PRId64 ", udiv64 5/0 = %" PRIu64 ", sdiv32 -5/0 = %d, udiv32 7/0 = %u\n",
           sdiv64(OPAQUE(5L), OPAQUE(0L)), udiv64(OPAQUE(5UL), OPAQUE(0UL)), sdiv32(OPAQUE(-5), OPAQUE(0)),
           udiv32(OPAQUE(7U), OPAQUE(0U)));
    for (size_t i = 0; i < NVALUES; i++) {
        for (size_t j = 0; j < NVALUES; j++) {
            int64_t a = OPAQUE(values[i]), b = OPAQUE(values[j]);
            if (b == 0 || (a == INT64_MIN && b == -1)) continue;
            int32_t a32 = (int32_t)a, b32 = (int32_t)b;
            int32_t q32 = (b32 == 0 || (a32 == INT32_MIN && b32 == -1)) ? 0 : a32 / b32;
            int32_t r32 = (b32 == 0 || (a32 == INT32_MIN && b32 == -1)) ? 0 : a32 % b32;
            uint32_t uq32 = (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0;
            if ((i + j) % 5 == 0)
                printf("%" PRId64 " / %" PRId64 ": q %" PRId64 " r %" PRId64 " uq %" PRIu64 " ur %" PRIu64 " q32 %d r32 %d uq32 %u\n",
                       a, b, a / b, a % b, (uint64_t)a / (uint64_t)b, (uint64_t)a % (uint64_t)b, q32, r32, uq32);
        }
    }
}

static void bit_checks(void) {
    puts("== bits");
    for (size_t i = 0; i < NVALUES; i++) {
        uint64_t v = (uint64_t)OPAQUE(values[i]);
        printf("%016" PRIx64 ": clz %d ctz %d pop %d clz32 %d pop32 %d bswap %016" PRIx64 " bswap32 %08x bswap16 %04x rbit %016" PRIx64
               " cls %" PRIu64 " sxtb %" PRId64 " sxth %" PRId64 " sxtw %" PRId64 " uxtb %" PRIu64 " uxth %" PRIu64 "\n",
               v, v ? __builtin_clzll(v) : 64, v ? __builtin_ctzll(v) : 64, __builtin_popcountll(v),
               (uint32_t)v ? __builtin_clz((uint32_t)v) : 32, __builtin_popcount((uint32_t)v),
               __builtin_bswap64(v), __builtin_bswap32((uint32_t)v), __builtin_bswap16((uint16_t)v), rbit64(v), cls64(v),
               (int64_t)(int8_t)v, (int64_t)(int16_t)v, (int64_t)(int32_t)v, (uint64_t)(uint8_t)v, (uint64_t)(uint16_t)v);
    }
    uint64_t x = OPAQUE(0x0123456789abcdefULL);
    printf("bitfield: %" PRIx64 " %" PRIx64 " %" PRId64 " %" PRIx64 "\n", (uint64_t)((x >> 12) & 0xfff),
           (uint64_t)((x & ~0xff0ULL) | (0x5aULL << 4)), ((int64_t)(x << 20)) >> 40, (uint64_t)(x & 0x00ff00ff00ff00ffULL));
}

static void int128_checks(void) {
    puts("== int128");
    const __int128 samples[] = {
        0, 1, -1, (__int128)INT64_MAX, (__int128)INT64_MIN, ((__int128)1 << 64), -((__int128)1 << 64) + 3,
        ((__int128)0x123456789abcdefLL << 64) | 0xfedcba9876543210ULL, (__int128)(((unsigned __int128)1 << 127) - 1),
        (__int128)((unsigned __int128)1 << 127), (__int128)1000000000000000000LL * 1000000000000LL, 10, -10, 3,
    };
    size_t n = sizeof samples / sizeof samples[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j += 3) {
            __int128 a = OPAQUE(samples[i]), b = OPAQUE(samples[j]);
            unsigned __int128 ua = (unsigned __int128)a, ub = (unsigned __int128)b;
            print_i128(a); fputs(" ", stdout); print_i128(b);
            fputs(": sum ", stdout); print_i128((__int128)(ua + ub));
            fputs(" prod ", stdout); print_u128(ua * ub);
            if (b != 0 && !(a == (__int128)((unsigned __int128)1 << 127) && b == -1)) {
                fputs(" q ", stdout); print_i128(a / b);
                fputs(" r ", stdout); print_i128(a % b);
            }
            if (ub != 0) {
                fputs(" uq ", stdout); print_u128(ua / ub);
                fputs(" ur ", stdout); print_u128(ua % ub);
            }
            printf(" shl %016" PRIx64 " sar %016" PRIx64 "\n", (uint64_t)((ua << (j * 9 % 128)) >> 64),
                   (uint64_t)(a >> (i * 11 % 128)));
        }
    }
    for (size_t i = 0; i < NVALUES; i += 2) {
        uint64_t a = (uint64_t)OPAQUE(values[i]), b = (uint64_t)OPAQUE(values[NVALUES - 1 - i]);
        printf("umulh %016" PRIx64 " smulh %016" PRIx64 "\n", (uint64_t)(((unsigned __int128)a * b) >> 64),
               (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64));
    }
    unsigned __int128 f = 1;
    for (unsigned k = 1; k <= 34; k++) f *= k;
    fputs("34! = ", stdout); print_u128(f); putchar('\n');
}

int main(void) {
    overflow_checks();
    shift_checks();
    division_checks();
    bit_checks();
    int128_checks();
    puts("done");
    return 0;
}
