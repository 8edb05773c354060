/*
 * CPU-bound work with almost no exits: SHA-256 over data generated in the guest (256 MiB by default, argv[1] MiB
 * otherwise) and a sieve of Eratosthenes.  bench/kvm builds this same file as a host process to compare speeds;
 * with a second argument it also prints how long the work took, from the clock it reads before and after.
 */
#include "jv.h"

typedef unsigned int u32;
typedef unsigned long u64;

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

struct sha256 {
    u32 h[8];
    u64 bytes;
    unsigned char block[64];
    unsigned fill;
};

static u32 ror(u32 x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(u32 *h, const unsigned char *p)
{
    u32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256_init(struct sha256 *s)
{
    static const u32 iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; i++) s->h[i] = iv[i];
    s->bytes = 0;
    s->fill = 0;
}

static void sha256_update(struct sha256 *s, const unsigned char *p, u64 n)
{
    s->bytes += n;
    while (n) {
        if (s->fill == 0 && n >= 64) {
            sha256_block(s->h, p);
            p += 64, n -= 64;
            continue;
        }
        s->block[s->fill++] = *p++, n--;
        if (s->fill == 64) sha256_block(s->h, s->block), s->fill = 0;
    }
}

static void sha256_final(struct sha256 *s, unsigned char out[32])
{
    u64 bits = s->bytes * 8;
    unsigned char pad = 0x80, zero = 0, len[8];
    sha256_update(s, &pad, 1);
    while (s->fill != 56) sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(s, len, 8);
    for (int i = 0; i < 32; i++) out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

static u64 chunk[8192]; /* 64 KiB of generated data at a time */
static unsigned char composite[10000001];

static unsigned long parse(const char *p)
{
    unsigned long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long)(*p++ - '0');
    return v;
}

int main(int argc, char **argv, int ncpus)
{
    (void)ncpus;
    unsigned long mib = argc > 1 ? parse(argv[1]) : 256;
    unsigned long t0 = now_ns();
    struct sha256 s;
    u64 x = 0x9e3779b97f4a7c15ul;
    sha256_init(&s);
    for (unsigned long i = 0; i < mib * 16; i++) {
        for (int j = 0; j < 8192; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            chunk[j] = x;
        }
        sha256_update(&s, (const unsigned char *)chunk, sizeof chunk);
    }
    unsigned char digest[32];
    sha256_final(&s, digest);

    const unsigned long n = sizeof composite - 1;
    unsigned long primes = 0;
    for (unsigned long i = 2; i <= n; i++) {
        if (composite[i]) continue;
        primes++;
        for (unsigned long j = i * i; j <= n; j += i) composite[j] = 1;
    }
    unsigned long t1 = now_ns();
    print_str("sha256(");
    print_u64(mib);
    print_str(" MiB) = ");
    for (int i = 0; i < 32; i++) print_hex(digest[i], 2);
    print_str("\n");
    print_str("primes below 10000001: ");
    print_u64(primes);
    print_str("\n");
    if (argc > 2) {
        print_str("compute ns: ");
        print_u64(t1 - t0);
        print_str("\n");
    }
    return 0;
}
