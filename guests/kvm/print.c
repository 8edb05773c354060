/* Formatting helpers shared by the guest runtime and the native build. */
#include "jv.h"

void print_str(const char *s) { con_write(s, (long)jv_strlen(s)); }

void print_u64(unsigned long v)
{
    char buf[21];
    int i = sizeof buf;
    do buf[--i] = (char)('0' + v % 10); while (v /= 10);
    con_write(buf + i, (long)sizeof buf - i);
}

void print_hex(unsigned long v, int digits)
{
    char buf[16];
    for (int i = digits - 1; i >= 0; i--, v >>= 4) buf[i] = "0123456789abcdef"[v & 15];
    con_write(buf, digits);
}
