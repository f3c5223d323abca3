#!/usr/bin/env bash
# Rebuilds the ELF fixtures from kidsdemo_native.c.
#   x86_64: gcc (Debian 12)            -> libkidsdemo-x86_64.so
#   arm64:  aarch64-linux-gnu-gcc      -> libkidsdemo-arm64.so
#           (apt-get install gcc-aarch64-linux-gnu)
# Check with: readelf -d --dyn-syms -W libkidsdemo-*.so
set -euo pipefail
cd "$(dirname "$0")"
flags=(-shared -fPIC -O1 -s -nostdlib
       -Wl,-soname,libkidsdemo.so -Wl,--build-id=none -Wl,-z,noseparate-code
       -Wl,-z,max-page-size=4096 -Wl,--hash-style=both -Wl,--no-as-needed -lc)
gcc "${flags[@]}" -o libkidsdemo-x86_64.so kidsdemo_native.c
aarch64-linux-gnu-gcc "${flags[@]}" -o libkidsdemo-arm64.so kidsdemo_native.c
ls -l libkidsdemo-*.so
