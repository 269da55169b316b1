#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one at a time, each for a bounded time. Not part
# of CI (.ci/run); see docs/ROBUSTNESS.md for the targets and the last results.
#
#   scripts/fuzz.sh                    # every target, FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh query dates        # only these targets
#   FUZZ_SECONDS=600 scripts/fuzz.sh html
#   FUZZ_SANITIZER=address scripts/fuzz.sh   # with AddressSanitizer (slower)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain may be stable: nightly
# flags are enabled with RUSTC_BOOTSTRAP=1. Each target's corpus (fuzz/corpus/<target>,
# not committed) is seeded from the committed fixtures and the sample corpus. A crash,
# panic, timeout (-timeout, default 10 s per input) or memory blow-up (-rss_limit_mb,
# 2048) is saved under fuzz/artifacts/<target>/; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> fuzz/artifacts/<target>/<file>
# The exit status is 0 when every target ran clean, 1 when one found something.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"

SECS="${FUZZ_SECONDS:-60}"
SANITIZER="${FUZZ_SANITIZER:-none}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
  exit 2
fi

ALL=(pagedump pagedump_normalize html markdown records_json records_ndjson records_csv
  feed dates query query_search ingest_bytes)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

FX=../tests/fixtures
SC=../sample_corpus

# seed TARGET PREFIX_BYTE_OR_EMPTY FILE...: copies files into the corpus, optionally
# behind one leading byte (targets that read a selector byte first)
seed() {
  local target=$1 prefix=$2
  shift 2
  mkdir -p "corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local out="corpus/$target/seed-$(basename "$f")"
    [ -e "$out" ] && continue
    if [ -n "$prefix" ]; then
      { printf "\\x$prefix"; cat "$f"; } >"$out"
    else
      cp "$f" "$out"
    fi
  done
}

# seed_lines TARGET PREFIX LINE...: one corpus file per line
seed_lines() {
  local target=$1 prefix=$2 i=0
  shift 2
  mkdir -p "corpus/$target"
  for line in "$@"; do
    i=$((i + 1))
    local out="corpus/$target/seed-line-$i"
    [ -e "$out" ] && continue
    if [ -n "$prefix" ]; then printf "\\x$prefix%s" "$line" >"$out"; else printf '%s' "$line" >"$out"; fi
  done
}

seed_all() {
  local dumps=("$FX"/pagedump/*.txt "$SC"/*/20*/*.txt "$FX"/hostile/*.txt)
  seed pagedump "" "${dumps[@]}"
  seed pagedump_normalize "" "${dumps[@]}"
  seed html "" "$FX"/formats/*.htm* "$FX"/formats/html-saved-as.txt "$SC"/exports/*.htm* "$FX"/hostile/*.html
  seed markdown "" "$FX"/formats/*.md "$FX"/formats/*.markdown "$SC"/exports/*.md "$FX"/hostile/*.md
  seed records_json "" "$FX"/formats/*.json "$SC"/exports/*.json "$FX"/hostile/*.json
  seed records_ndjson "" "$FX"/formats/*.jsonl "$SC"/exports/*.ndjson "$FX"/hostile/*.ndjson
  seed records_csv 00 "$FX"/formats/*.csv "$SC"/exports/*.csv "$FX"/hostile/*.csv
  seed records_csv 01 "$FX"/formats/*.tsv "$SC"/exports/*.tsv
  seed feed "" "$FX"/formats/*.xml "$FX"/formats/*.rss "$FX"/formats/*.atom \
    "$FX"/formats/feed-without-extension "$SC"/exports/*.rss "$SC"/exports/*.atom "$FX"/hostile/*.xml
  seed_lines dates "" "Sep 20, 2017, 2:00 p.m." "Sept. 30, 2017, 9:00 p.m." "2024-01-10T16:05:00+02:00" \
    "Wed, 10 Jan 2024 16:05:00 GMT" "1704902700123" "2024-01-10 16:05:00" "20 Sep 2017 14:00" \
    "Jan. 5, 2024" "2017-09|2017-12" "2024-02-30" "9999-12-31T23:59:59Z"
  local queries=('"spot bitcoin etf"~3 -grayscale' 'bitcoin OR btc etf' '(mt gox) OR bankruptcy'
    'title:hack author:"dana whitfield"' 'published:2017-09..2017-12 updated:>=2024-01-15'
    'hash* 0x7a3f bitcon~1' '$ETH +etf NOT ether' 'tag:mining source:coinwire url:https://a.io/x'
    'published:<2020 (a (b (c)))' 'id:9f2c4e1ab03d7c55')
  seed_lines query "" "${queries[@]}"
  seed_lines query_search 00 "${queries[@]}"
  seed_lines query_search 07 "${queries[@]}"
  # ingest_bytes: the first byte picks the file name (see NAMES in the target)
  seed ingest_bytes 00 "$FX"/pagedump/*.txt "$FX"/hostile/*.txt
  seed ingest_bytes 01 "$FX"/formats/*.html "$FX"/hostile/*.html
  seed ingest_bytes 02 "$FX"/formats/*.md
  seed ingest_bytes 03 "$FX"/formats/*.json "$FX"/hostile/*.json
  seed ingest_bytes 04 "$FX"/formats/*.jsonl "$FX"/hostile/*.ndjson
  seed ingest_bytes 05 "$FX"/formats/*.csv
  seed ingest_bytes 06 "$FX"/formats/*.tsv
  seed ingest_bytes 07 "$FX"/formats/*.xml "$FX"/hostile/*.xml
  seed ingest_bytes 0a "$FX"/formats/*.json.gz "$FX"/hostile/*.gz
}

max_len() {
  case $1 in
    dates | query | query_search) echo 4096 ;;
    *) echo 65536 ;;
  esac
}

seed_all
mkdir -p logs
echo "fuzz.sh: ${#TARGETS[@]} target(s), ${SECS}s each, sanitizer ${SANITIZER}"
RSS_LIMIT="${FUZZ_RSS_LIMIT_MB:-2048}"
if ! cargo fuzz build -s "$SANITIZER" >logs/build.log 2>&1; then
  tail -40 logs/build.log >&2
  echo "fuzz.sh: the fuzz targets do not build (full log: fuzz/logs/build.log)" >&2
  exit 2
fi
found=0
printf '%-20s %12s %10s %8s %s\n' target executions "exec/s" corpus result
for t in "${TARGETS[@]}"; do
  log="logs/$t.log"
  cargo fuzz run -s "$SANITIZER" "$t" "corpus/$t" -- \
    -max_total_time="$SECS" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_LIMIT" \
    -max_len="$(max_len "$t")" -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units:[[:space:]]*[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec:[[:space:]]*[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  corpus=$(find "corpus/$t" -type f | wc -l)
  if [ $status -eq 0 ]; then
    result=ok
  else
    result="FOUND (exit $status): see fuzz/$log and fuzz/artifacts/$t/"
    found=1
  fi
  printf '%-20s %12s %10s %8s %s\n' "$t" "${runs:-?}" "${rate:-?}" "$corpus" "$result"
done
rm -rf "${TMPDIR:-/tmp}"/coindex-fuzz-index-* 2>/dev/null || true
exit $found
