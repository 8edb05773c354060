/*
 * The program `jvisor demo` runs: a freestanding arm64 Linux executable (no libc) that shows a few things an
 * emulated process does — system calls, the initial stack, memory mappings, integer arithmetic — and draws the
 * Mandelbrot set in fixed-point so it needs no floating point.
 */
typedef unsigned long u64;
typedef long i64;

static i64 sys(i64 nr, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
    register i64 x8 __asm__("x8") = nr;
    register i64 x0 __asm__("x0") = a;
    register i64 x1 __asm__("x1") = b;
    register i64 x2 __asm__("x2") = c;
    register i64 x3 __asm__("x3") = d;
    register i64 x4 __asm__("x4") = e;
    register i64 x5 __asm__("x5") = f;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

enum { SYS_write = 64, SYS_exit_group = 94, SYS_uname = 160, SYS_getpid = 172, SYS_munmap = 215, SYS_mmap = 222 };

static char out[8192];
static int used;

static void flush(void) {
    sys(SYS_write, 1, (i64)out, used, 0, 0, 0);
    used = 0;
}

static void put(const char *s) {
    while (*s) {
        if (used == sizeof out) flush();
        out[used++] = *s++;
    }
}

static void putnum(u64 v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

static int primes(int limit, unsigned char *sieve) {
    int count = 0;
    for (int i = 2; i < limit; i++) sieve[i] = 1;
    for (int i = 2; i < limit; i++) {
        if (!sieve[i]) continue;
        count++;
        for (int j = 2 * i; j < limit; j += i) sieve[j] = 0;
    }
    return count;
}

static void mandelbrot(void) {
    const char *shades = " .:-=+*#%@";
    for (int row = 0; row < 22; row++) {
        for (int col = 0; col < 72; col++) {
            /* 16.16 fixed point: x in [-2.2, 0.8), y in [-1.2, 1.2). */
            i64 cr = -144179 + col * 2731, ci = -78643 + row * 7149;
            i64 zr = 0, zi = 0;
            int n = 0;
            while (n < 60) {
                i64 zr2 = (zr * zr) >> 16, zi2 = (zi * zi) >> 16;
                if (zr2 + zi2 > (4 << 16)) break;
                zi = ((zr * zi) >> 15) + ci;
                zr = zr2 - zi2 + cr;
                n++;
            }
            /* Escape time picks the shade; points that never escape are in the set. */
            char c[2] = {shades[n >= 60 ? 9 : (n < 3 ? 0 : n < 30 ? 1 + (n - 3) / 4 : 8)], 0};
            put(c);
        }
        put("\n");
    }
}

void start_c(u64 *sp) {
    u64 argc = sp[0];
    char **argv = (char **)(sp + 1);
    put("Hello from an arm64 Linux program running on jvisor!\n");
    put("argc = ");
    putnum(argc);
    put(", argv[0] = ");
    put(argv[0]);
    put(", pid = ");
    putnum((u64)sys(SYS_getpid, 0, 0, 0, 0, 0, 0));
    put("\n");

    char uts[6 * 65];
    if (sys(SYS_uname, (i64)uts, 0, 0, 0, 0, 0) == 0) {
        put("uname: ");
        put(uts);
        put(" ");
        put(uts + 4 * 65);
        put("\n");
    }

    /* 1 MiB from mmap for a sieve of Eratosthenes. */
    int limit = 1 << 20;
    unsigned char *sieve = (unsigned char *)sys(SYS_mmap, 0, limit, 3, 0x22, -1, 0);
    if ((i64)sieve < 0) {
        put("mmap failed\n");
        flush();
        sys(SYS_exit_group, 1, 0, 0, 0, 0, 0);
    }
    put("primes below 2^20: ");
    putnum((u64)primes(limit, sieve));
    put("\n\n");
    sys(SYS_munmap, (i64)sieve, limit, 0, 0, 0, 0);

    mandelbrot();
    flush();
    sys(SYS_exit_group, 0, 0, 0, 0, 0, 0);
}

__asm__(".global _start\n"
        "_start:\n"
        "  mov x0, sp\n"
        "  bl start_c\n"
        "  brk #0\n");
