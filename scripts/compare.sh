#!/usr/bin/env bash
# Side-by-side benchmark: coindex vs tantivy-cli, SQLite FTS5 (sqlite3 CLI) and ripgrep on a
# generated corpus of raw page dumps. Prints a Markdown table and writes it, with per-query
# hit counts and the exact timed commands, to $WORK/compare.md.
#
#   scripts/compare.sh [N]            # N articles (default 10000), corpus generated if missing
#
# Environment (all optional):
#   WORK=/tmp/coindex-compare   scratch dir (indexes, NDJSON, results)
#   RUNS=5                      index builds per tool; the median is reported
#   QUERY_REPS=5                passes over the 20 queries per tool (5 -> 100 timings)
#   RG_REPS=$QUERY_REPS         passes for ripgrep (slow on big corpora)
#   CORPUS=DIR                  use this corpus instead of $WORK/corpus-N (never modified)
#   COINDEX=... BENCH=...       binaries (default target/release/coindex{,-bench}); they are
#                               copied to $TOOLS first, since target/ is rebuilt often
#   TOOLS=/opt/cmp/bin          where tantivy and rg are installed, and the copies go
#   SQLITE=sqlite3              sqlite3 CLI (needs FTS5 and the JSON functions, >= 3.38)
#   RESUME=1                    keep the results of an earlier run in $WORK and only redo
#                               the steps whose result file is missing or empty
#
# Install the other tools once, outside the repo (tantivy-cli 0.24.0's Cargo.lock pins
# traitobject 0.1.0, which no longer compiles, so it is installed without --locked):
#   CARGO_BUILD_JOBS=1 cargo install --locked ripgrep --root /opt/cmp
#   CARGO_BUILD_JOBS=1 cargo install tantivy-cli --root /opt/cmp
#
# What is timed (wall clock of the whole process, python perf_counter + wait4; peak RSS from
# wait4 = GNU time's %M):
#   coindex      `coindex index CORPUS --index W/coindex --rebuild -q`  (raw page dumps in)
#   tantivy-cli  `tantivy index -i W/tantivy -t 2 < W/docs.ndjson`     (normalized NDJSON in;
#                a fresh index dir holding only meta.json before each run, untimed)
#   SQLite FTS5  `sqlite3 W/fts.db < build.sql`: create the fts5 table and INSERT ... SELECT
#                from an attached staging table in one transaction. The NDJSON -> staging
#                table step (JSON parsing) is NOT timed.
#   queries      one process per query; see scripts/compare/bench.py `commands()`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HERE=$ROOT/scripts/compare

N=${1:-10000}
WORK=${WORK:-/tmp/coindex-compare}
RUNS=${RUNS:-5}
QUERY_REPS=${QUERY_REPS:-5}
RG_REPS=${RG_REPS:-$QUERY_REPS}
TOOLS=${TOOLS:-/opt/cmp/bin}
SQLITE=${SQLITE:-sqlite3}
CORPUS=${CORPUS:-$WORK/corpus-$N}
py() { python3 "$HERE/bench.py" "$@"; }
mkdir -p "$WORK/results" "$TOOLS"
RES=$WORK/results
[ -n "${RESUME:-}" ] || rm -f "$RES"/*.json
want() { [ -z "${RESUME:-}" ] || [ ! -s "$RES/$1.json" ]; } # step $1 still to do?

# --- binaries: snapshot coindex and the generator, find the other tools ----------------
snapshot() { # src dst: copy unless it is already that file
  [ "$1" -ef "$2" ] || cp "$1" "$2"
}
snapshot "${COINDEX:-$ROOT/target/release/coindex}" "$TOOLS/coindex"
snapshot "${BENCH:-$ROOT/target/release/coindex-bench}" "$TOOLS/coindex-bench"
COINDEX=$TOOLS/coindex
BENCH=$TOOLS/coindex-bench
find_tool() { # name -> path in $TOOLS, else on PATH
  if [ -x "$TOOLS/$1" ]; then echo "$TOOLS/$1"; else command -v "$1" || true; fi
}
TANTIVY=$(find_tool tantivy)
RG=$(find_tool rg)
SQLITE=$(command -v "$SQLITE" || true)
for t in TANTIVY RG SQLITE; do
  if [ -z "${!t}" ]; then echo "compare.sh: $t not found (see the install lines at the top)" >&2; exit 2; fi
done
"$SQLITE" :memory: "create virtual table t using fts5(x); select json('{}');" >/dev/null ||
  { echo "compare.sh: $SQLITE lacks FTS5 or JSON" >&2; exit 2; }

# --- corpus ----------------------------------------------------------------------------
if [ ! -d "$CORPUS" ]; then
  echo "== generating $N articles into $CORPUS"
  "$BENCH" gen --articles "$N" --out "$CORPUS" --seed 42
fi
DOCS=$(find "$CORPUS" -type f | wc -l)
RAW=$(py size "$CORPUS")
echo "== corpus $CORPUS: $DOCS files, $RAW bytes raw"

# --- coindex: index the raw page dumps ---------------------------------------------------
if want coindex.build; then
  echo "== coindex index (x$RUNS)"
  py build --runs "$RUNS" --ok 0,1 -- \
    "$COINDEX" index "$CORPUS" --index "$WORK/coindex" --rebuild -q >"$RES/coindex.build.json"
fi
CI_BYTES=$(py size "$WORK/coindex")

# --- normalized NDJSON for the other tools (untimed) --------------------------------------
if [ -z "${RESUME:-}" ] || [ ! -s "$WORK/docs.ndjson" ]; then
  "$COINDEX" export --index "$WORK/coindex" --fields id,title,dek,body,published,tags \
    --format ndjson -o "$WORK/docs.ndjson"
fi
NDJSON_BYTES=$(py size "$WORK/docs.ndjson")
echo "== docs.ndjson: $(wc -l <"$WORK/docs.ndjson") docs, $NDJSON_BYTES bytes"

# --- tantivy-cli: schema written as meta.json (`tantivy new` is interactive) ------------
# id: raw, indexed, stored; title/dek/body: default tokenizer, positions, stored;
# tags: stored only (so bare words match title/dek/body, like coindex's default fields);
# published: date, fast + stored but not indexed: `tantivy bench` parses queries against
# every indexed field and panics when a word is tried as a date. Docstore lz4 (default).
TDIR=$WORK/tantivy
want tantivy.build && echo "== tantivy-cli index -t 2 (x$RUNS)" &&
py build --runs "$RUNS" --stdin "$WORK/docs.ndjson" \
  --prep "rm -rf '$TDIR' && mkdir -p '$TDIR' && cp '$HERE/tantivy-meta.json' '$TDIR/meta.json'" \
  -- "$TANTIVY" index -i "$TDIR" -t 2 >"$RES/tantivy.build.json"
TV_BYTES=$(py size "$TDIR")

# --- SQLite FTS5 --------------------------------------------------------------------------
DB=$WORK/fts.db
if want sqlite.build; then
echo "== SQLite FTS5 build (x$RUNS)"
py stage-sqlite "$WORK/docs.ndjson" "$WORK/stage.db" # untimed: JSON -> plain table
cat >"$WORK/build.sql" <<EOF
ATTACH '$WORK/stage.db' AS s;
BEGIN;
CREATE VIRTUAL TABLE docs USING fts5(title, dek, body);
INSERT INTO docs(rowid, title, dek, body) SELECT rowid, title, dek, body FROM s.raw;
COMMIT;
EOF
py build --runs "$RUNS" --stdin "$WORK/build.sql" --prep "rm -f '$DB' '$DB-journal'" \
  -- "$SQLITE" "$DB" >"$RES/sqlite.build.json"
fi
SQ_BYTES=$(py size "$DB")

# --- queries --------------------------------------------------------------------------------
Q=$HERE/queries.tsv
echo "== queries: coindex, sqlite, tantivy-cli (x$QUERY_REPS), ripgrep (x$RG_REPS)"
want coindex.queries && py queries coindex --bin "$COINDEX" --target "$WORK/coindex" --queries "$Q" --reps "$QUERY_REPS" >"$RES/coindex.queries.json"
want sqlite.queries && py queries sqlite --bin "$SQLITE" --target "$DB" --queries "$Q" --reps "$QUERY_REPS" >"$RES/sqlite.queries.json"
want tantivy.queries && py queries tantivy --bin "$TANTIVY" --target "$TDIR" --queries "$Q" --reps "$QUERY_REPS" >"$RES/tantivy.queries.json"
want rg.queries && py queries rg --bin "$RG" --target "$CORPUS" --queries "$Q" --reps "$RG_REPS" >"$RES/rg.queries.json"
# tantivy's own in-process benchmark on the same queries (for scale only)
python3 - "$Q" >"$WORK/tantivy-queries.txt" <<'EOF'
import sys
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        q = line.split("\t", 1)[1].strip()
        w = q.split()
        print(q if q.startswith('"') or len(w) == 1 else " ".join("+" + x for x in w))
EOF
if "$TANTIVY" bench -i "$TDIR" -q "$WORK/tantivy-queries.txt" -n "$QUERY_REPS" >"$WORK/tantivy-bench.out" 2>&1; then
  py tantivy-bench "$WORK/tantivy-bench.out" >"$RES/tantivy.bench.json"
else
  echo "compare.sh: tantivy bench failed (see $WORK/tantivy-bench.out); skipped" >&2
fi
# process start-up floor of each tool (a trivial invocation), to read the query columns
floor() { py floor --reps 30 -- "$@"; }
{
  echo "coindex $(floor "$COINDEX" --version)"
  echo "sqlite3 $(floor "$SQLITE" :memory: 'select 1;')"
  echo "tantivy-cli $(floor "$TANTIVY" --version)"
  echo "ripgrep $(floor "$RG" --version)"
} >"$WORK/floor.txt"

# --- report ---------------------------------------------------------------------------------
ver() { "$@" 2>/dev/null | head -1; }
cat >"$WORK/notes.md" <<EOF
Notes:
- Versions: $(ver "$COINDEX" --version); tantivy-cli $(ver "$TANTIVY" --version | awk '{print $NF}'); sqlite3 $(ver "$SQLITE" --version | awk '{print $1}'); $(ver "$RG" --version).
- Index MB/s: input MB / median wall time. "raw corpus" divides the raw page-dump bytes
  (what coindex reads); "NDJSON input" divides the bytes of docs.ndjson (what tantivy-cli and
  SQLite read; already extracted and normalized by coindex, whose time is not counted).
  Sizes: bytes of the index files (for SQLite the .db) / raw corpus bytes. Peak RSS: median
  over builds.
- coindex: reads raw page dumps (extraction, dates, dedup) with its own thread count.
  tantivy-cli: \`tantivy index -t 2\` (2 indexing threads; its default is 1), 1 GB writer
  budget (default), schema id/title/dek/body/tags/published, positions on text, lz4 store.
  SQLite: fts5(title, dek, body), unicode61 tokenizer, one transaction; only the FTS5
  insert is timed (staging table already loaded), no 'optimize'.
- Queries: one process per query, warm page cache (one untimed warm-up each), 20 queries
  (common / rare / 2-3 word AND / phrase, scripts/compare/queries.tsv).
  coindex: \`coindex search Q --limit 10\` (ranked top 10 with snippets, text output).
  SQLite: \`sqlite3 fts.db "select rowid, title, snippet(...) ... match 'Q' order by rank limit 10"\`
  (ranked top 10 with snippets). tantivy-cli: \`tantivy search -i DIR -q Q\` (words as
  +w1 +w2): it has no limit, no ranking and no snippets, and prints EVERY matching stored
  document as JSON, so common terms cost it far more than a top 10 would. ripgrep:
  \`rg -l -i -w -F WORD CORPUS\` (all matching files, unranked, no index); AND = the first
  word's file list piped through \`xargs -0 rg -l -i -w -F\` for each further word (the whole
  bash pipeline is timed); phrase = regex \`w1\\W+w2\` with -w. rg uses all cores.
- Process start-up floor, p50 of 30 trivial runs (\`--version\`, sqlite3 \`select 1\`):
  $(tr '\n' ';' <"$WORK/floor.txt" | sed 's/;$//; s/;/ ms; /g') ms.
- coindex matches more than the others on some queries: tickers/aliases index as the coin
  (BTC = bitcoin, index_schema/coins.toml), and \`coindex count\` of a multi-word query
  counts every tier (all words first, then fewer), not only documents with all words.
- Hit counts per query and every exact command: $WORK/compare.md.
EOF
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
py report --work "$WORK" --corpus "$CORPUS" --queries "$Q" --machine "$machine" --notes "$WORK/notes.md" \
  --raw-bytes "$RAW" --ndjson-bytes "$NDJSON_BYTES" --coindex-bytes "$CI_BYTES" \
  --tantivy-bytes "$TV_BYTES" --sqlite-bytes "$SQ_BYTES" --docs "$DOCS" --runs "$RUNS"
echo "(written to $WORK/compare.md)"
