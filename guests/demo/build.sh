#!/bin/sh
# Builds the demo guest that `jvisor demo` runs and installs it as a resource. Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../src/main/resources/dev/jvisor/demo/demo}
aarch64-linux-gnu-gcc -O2 -static -nostdlib -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables \
    -mgeneral-regs-only -Wl,--build-id=none -Wl,-z,noexecstack -o "$out" "$here/demo.c"
aarch64-linux-gnu-strip "$out"
