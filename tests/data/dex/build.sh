#!/usr/bin/env bash
# Rebuilds tests/data/dex/tiny.dex from src/ with Debian's smali
# (apt-get install libsmali-java default-jre-headless). smali output is
# deterministic, so a rebuild with smali 2.5.2 gives the committed bytes.
# API level 28 is needed for const-method-handle/-type (DEX version 039).
set -euo pipefail
cd "$(dirname "$0")"
SMALI_JAR=$(dpkg -L libsmali-java | grep '/smali\.jar$')
java -jar "$SMALI_JAR" a --api 28 -o tiny.dex src/
sha256sum tiny.dex
