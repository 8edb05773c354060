#!/bin/sh
# Builds the KVM guest programs: build.sh OUTDIR [native]  (native: also compute-native, the host-process build).
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR [native]}
mkdir -p "$out"
CC=${CC:-gcc}
CFLAGS="-O2 -ffreestanding -fno-builtin -fno-stack-protector -fno-pie -no-pie -fno-asynchronous-unwind-tables -fcf-protection=none -Wall -Wextra"
$CC $CFLAGS -c "$src/crt0.S" -o "$out/crt0.o"
$CC $CFLAGS -c "$src/rt.c" -o "$out/rt.o"
$CC $CFLAGS -c "$src/print.c" -o "$out/print.o"
for g in hello cat compute exits smp fault; do
    $CC $CFLAGS -nostdlib -static -T "$src/guest.ld" -Wl,--build-id=none "$out/crt0.o" "$src/$g.c" "$out/rt.o" "$out/print.o" -o "$out/$g"
done
if [ "${2:-}" = native ]; then
    $CC -O2 -fno-builtin -DJV_NATIVE -Dmain=guest_main -Wall -c "$src/compute.c" -o "$out/compute-native.o"
    $CC -O2 -DJV_NATIVE -Wall "$src/native.c" "$src/print.c" "$out/compute-native.o" -o "$out/compute-native"
fi
