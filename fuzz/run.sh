#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/fuzz_targets one after the other.
#
#   fuzz/run.sh                      every target for 60 s each
#   fuzz/run.sh 3600                 every target for an hour each
#   fuzz/run.sh 600 ingest_pipeline  one target for 10 minutes
#
# Needs a nightly toolchain (`rustup toolchain install nightly`) and
# cargo-fuzz (`cargo install cargo-fuzz`). Seeds come from the fixtures
# under crates/*/tests/fixtures; the corpus grows in fuzz/corpus/<target>
# (not committed) and crashes land in fuzz/artifacts/<target>. Each
# target's last line of libFuzzer statistics (executions, coverage) is
# printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)

seed() {
    local target=$1 dir=corpus/$1
    mkdir -p "$dir"
    local fixtures=(../crates/events/tests/fixtures/*.json ../crates/masking/tests/fixtures/*.json)
    case $target in
        batch_decode)
            cp "${fixtures[@]}" "$dir/" ;;
        ingest_pipeline)
            # First byte: 0 identity JSON, 2 gzip JSON (see the target).
            for f in "${fixtures[@]}"; do
                { printf '\x00'; cat "$f"; } >"$dir/plain-$(basename "$f")"
                { printf '\x02'; gzip -c "$f"; } >"$dir/gzip-$(basename "$f")"
            done ;;
        decompress)
            for f in "${fixtures[@]}"; do gzip -c "$f" >"$dir/$(basename "$f").gz"; done ;;
        masking)
            for f in "${fixtures[@]}"; do
                python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get("events", [])))' "$f" \
                    >"$dir/events-$(basename "$f")" || true
            done ;;
        page_key)
            printf 'https://shop.example/products/12345?utm_source=mail&q=shoes' >"$dir/product"
            printf 'https://shop.example/checkout?email=jan%%40example.nl#step-2' >"$dir/checkout"
            printf 'http://[::1]:8080/a/./b/../c/%%7Euser/3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f' >"$dir/odd" ;;
    esac
}

summary=()
for target in "${targets[@]}"; do
    seed "$target"
    log=$(mktemp)
    echo "== $target: $seconds s"
    # -rss_limit_mb: the pipeline's own budget is 32 MiB per request; 2 GiB
    # means a real leak or blow-up, not the fuzzer's bookkeeping.
    if ! cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 \
        2>&1 | tee "$log" | grep -E "^(#[0-9]+\s+(DONE|pulse)|==|SUMMARY|thread)" ; then
        :
    fi
    line=$(grep -E "^#[0-9]+" "$log" | tail -1 || true)
    crashes=$(ls "artifacts/$target" 2>/dev/null | wc -l)
    summary+=("$target: $line; artifacts: $crashes")
    rm -f "$log"
done
printf '%s\n' "${summary[@]}"
