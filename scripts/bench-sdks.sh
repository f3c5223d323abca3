#!/usr/bin/env bash
# What SDK matching adds to a scan (issue 4 target: < 10 %). Runs
# examples/sdk_overhead.rs, which scans each input alternately with the
# embedded catalogue and with the same catalogue minus its SDK entries, in
# one process, and prints medians and the ratio; plus the time to load the
# embedded catalogue. Hashing is off in both arms (same work either way).
#
# Usage: scripts/bench-sdks.sh [ROUNDS]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-15}
CORPUS=${HUMIAO_CORPUS:-../shared/corpus}
cargo build --release --locked -q --example sdk_overhead
INPUTS=("$(ls -S "$CORPUS"/*.apk | head -1)" "$CORPUS/npm-appium-uiautomator2-server-v10.6.6.apk"
        "$CORPUS/w-pmmx-crashlytics-firebase.apk" "$CORPUS/cn-mob-ShareSDK-sample-2.6.3.apk"
        "$CORPUS/cn-microtext-umeng-multiabi.apk" samples/sdkdemo/sdkdemo.apk)
target/release/examples/sdk_overhead "$ROUNDS" "${INPUTS[@]}"
