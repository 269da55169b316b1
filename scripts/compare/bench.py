#!/usr/bin/env python3
"""Timing helper for scripts/compare.sh (standard library only).

Every measurement is one whole process: time.perf_counter() around spawning the child and
reaping it with os.wait4(), which also gives the child's peak RSS (ru_maxrss, KB; the
same number GNU `/usr/bin/time -f %M` prints). stdout goes to /dev/null.

Subcommands (all write JSON or Markdown; see compare.sh for how they are chained):
  size PATH                       total bytes of the regular files under PATH
  build --runs R --prep SH [--stdin FILE] -- CMD...
                                  RUNS times: run the shell snippet SH (untimed), then time CMD
  stage-sqlite NDJSON DB          untimed: copy title/dek/body of the NDJSON into a plain
                                  SQLite table raw(rowid = line number)
  queries TOOL ...                time the fixed query set with one tool (see --help)
  floor --reps R -- CMD...        p50 ms of a trivial command (start-up cost)
  tantivy-bench FILE              parse the output of `tantivy bench`
  report --work DIR ...           print the Markdown summary and write DIR/compare.md
"""

import argparse
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


# ---------------------------------------------------------------- measuring processes


def run_once(argv, stdin_path=None, ok=(0,)):
    """Run argv once; return (seconds, peak RSS KB). Exit on an unexpected status."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
        if stdin_path:
            stdin.close()
        if p.returncode not in ok:
            err.seek(0)
            tail = err.read()[-2000:].decode(errors="replace")
            sys.exit(f"bench.py: {shlex.join(argv)} exited {p.returncode}\n{tail}")
    return dt, ru.ru_maxrss


def capture(argv, ok=(0, 1, 123)):
    """Run argv once (untimed) and return its stdout as text."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        sys.exit(f"bench.py: {shlex.join(argv)} exited {p.returncode}\n{p.stderr[-2000:].decode(errors='replace')}")
    return p.stdout.decode(errors="replace")


def show(cmd):
    """A shell command line for humans: SQL with single quotes goes in double quotes."""
    def q(arg):
        if "'" in arg and not any(c in arg for c in '"$`\\!'):
            return f'"{arg}"'
        return shlex.quote(arg)
    return " ".join(q(x) for x in shlex.split(cmd))


def pct(values, p):
    """Nearest-rank percentile, the same rule as bench/src/main.rs."""
    v = sorted(values)
    return v[round((len(v) - 1) * p)] if v else float("nan")


def dir_bytes(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


# ---------------------------------------------------------------- subcommands


def cmd_size(a):
    print(dir_bytes(a.path))


def cmd_build(a):
    """Time an index build RUNS times, each after an untimed preparation step."""
    argv = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    ok = tuple(int(x) for x in a.ok.split(","))
    times, rss = [], []
    for _ in range(a.runs):
        if a.prep:
            subprocess.run(["bash", "-c", a.prep], check=True)
        dt, kb = run_once(argv, a.stdin, ok)
        times.append(dt)
        rss.append(kb)
        print(f"  run {len(times)}/{a.runs}: {dt:.2f} s, {kb / 1024:.0f} MB peak RSS", file=sys.stderr)
    json.dump(
        {"cmd": shlex.join(argv) + (f" < {a.stdin}" if a.stdin else ""),
         "times_s": times, "median_s": statistics.median(times),
         "rss_kb": rss, "median_rss_kb": statistics.median(rss)},
        sys.stdout)
    print()


def cmd_floor(a):
    """p50 wall ms of a trivial command (process start-up cost)."""
    argv = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    run_once(argv)
    print(f"{pct([run_once(argv)[0] * 1000 for _ in range(a.reps)], 0.5):.1f}")


def cmd_stage_sqlite(a):
    """Untimed: NDJSON -> plain table raw(title, dek, body), rowid = NDJSON line number."""
    Path(a.db).unlink(missing_ok=True)
    con = sqlite3.connect(a.db)
    con.execute("create table raw(title text, dek text, body text)")
    with open(a.ndjson, encoding="utf-8") as f:
        rows = ((i, d.get("title") or "", d.get("dek") or "", d.get("body") or "")
                for i, d in enumerate((json.loads(l) for l in f), start=1))
        con.executemany("insert into raw(rowid, title, dek, body) values (?,?,?,?)", rows)
    con.commit()
    con.close()


def load_queries(path):
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cls, q = line.split("\t", 1)
            out.append((cls, q.strip()))
    return out


def words_of(q):
    return q.strip('"').split()


def commands(tool, q, a):
    """(timed argv, argv whose output gives the hit count, how hits are counted) for one query."""
    phrase = q.startswith('"')
    words = words_of(q)
    if tool == "coindex":
        timed = [a.bin, "search", q, "--index", a.target, "--limit", "10", "--color", "never"]
        return timed, [a.bin, "count", q, "--index", a.target], "count"
    if tool == "sqlite":
        m = q.replace("'", "''")  # FTS5: words are ANDed, "..." is a phrase
        timed = [a.bin, a.target,
                 "select rowid, title, snippet(docs, 2, '[', ']', '…', 16) from docs "
                 f"where docs match '{m}' order by rank limit 10;"]
        return timed, [a.bin, a.target, f"select count(*) from docs where docs match '{m}';"], "count"
    if tool == "tantivy":
        # tantivy's QueryParser ORs words by default: require each one with '+'.
        tq = q if phrase or len(words) == 1 else " ".join("+" + w for w in words)
        timed = [a.bin, "search", "-i", a.target, "-q", tq]
        return timed, timed, "lines"
    if tool == "rg":
        rg = shlex.quote(a.bin)
        corpus = shlex.quote(a.target)
        if phrase:  # words separated by any non-word run ("Mt. Gox" matches "mt gox")
            timed = [a.bin, "-l", "-i", "-w", r"\W+".join(words), a.target]
        elif len(words) == 1:
            timed = [a.bin, "-l", "-i", "-w", "-F", words[0], a.target]
        else:  # AND: files with word 1, filtered by word 2, ... (whole pipeline timed)
            sh = f"{rg} -l0 -i -w -F {shlex.quote(words[0])} {corpus}"
            for i, w in enumerate(words[1:], start=2):
                last = i == len(words)
                sh += f" | xargs -0 -r {rg} {'-l' if last else '-l0'} -i -w -F {shlex.quote(w)}"
            timed = ["bash", "-c", sh]
        return timed, timed, "lines"
    sys.exit(f"bench.py: unknown tool {tool}")


def cmd_queries(a):
    """Time every query of the set REPS times (round-robin), one process per query."""
    queries = load_queries(a.queries)
    plan = [(cls, q, *commands(a.tool, q, a)) for cls, q in queries]
    hits = {}
    for cls, q, timed, count_argv, how in plan:
        run_once(timed, ok=(0, 1, 123))  # warm-up (page cache), untimed; 123: xargs saw rg find nothing
        out = capture(count_argv)
        hits[q] = int(out.split()[0]) if how == "count" else len(out.splitlines())
    samples = {q: [] for _, q in queries}
    rss = []
    for rep in range(a.reps):
        for cls, q, timed, _, _ in plan:
            dt, kb = run_once(timed, ok=(0, 1, 123))
            samples[q].append(dt * 1000)
            rss.append(kb)
        print(f"  {a.tool}: pass {rep + 1}/{a.reps}", file=sys.stderr)
    all_ms = [t for v in samples.values() for t in v]
    by_class = {}
    for cls, q in queries:
        by_class.setdefault(cls, []).extend(samples[q])
    json.dump(
        {"tool": a.tool, "reps": a.reps, "n": len(all_ms),
         "p50_ms": pct(all_ms, 0.5), "p95_ms": pct(all_ms, 0.95),
         "class_p50_ms": {c: pct(v, 0.5) for c, v in by_class.items()},
         "median_rss_kb": statistics.median(rss),
         "commands": {q: shlex.join(t) for _, q, t, _, _ in plan},
         "hits": hits, "samples_ms": samples},
        sys.stdout)
    print()


def cmd_tantivy_bench(a):
    """`tantivy bench` prints per query and repetition: SEARCH (top 10 + count, µs) then
    FETCH STORE (loading those 10 docs, µs). One process, so no start-up cost."""
    search, fetch, section = [], [], None
    for line in Path(a.file).read_text(errors="replace").splitlines():
        if line.startswith("SEARCH"):
            section = search
        elif line.startswith("FETCH STORE"):
            section = fetch
        elif section is not None and "\t" in line and not line.startswith("query\t"):
            try:
                section.append(float(line.rsplit("\t", 1)[1]) / 1000)
            except ValueError:
                pass
    both = [s + f for s, f in zip(search, fetch)]
    json.dump({"n": len(both), "p50_ms": pct(both, 0.5), "p95_ms": pct(both, 0.95),
               "search_p50_ms": pct(search, 0.5)}, sys.stdout)
    print()


# ---------------------------------------------------------------- report


def cmd_report(a):
    w = Path(a.work) / "results"
    load = lambda name: json.loads((w / name).read_text()) if (w / name).exists() else None
    raw, ndjson = a.raw_bytes, a.ndjson_bytes
    mb = lambda b: b / 1e6
    fmt = lambda x, spec: "—" if x is None else format(x, spec)

    def build_cells(name, size_bytes):
        b = load(f"{name}.build.json")
        if not b:
            return ["—"] * 4
        s = b["median_s"]
        return [fmt(mb(raw) / s, ".1f"),
                "—" if name == "coindex" else fmt(mb(ndjson) / s, ".1f"),
                fmt(size_bytes / raw, ".2f") + "×",
                fmt(b["median_rss_kb"] / 1024, ".0f") + " MB"]

    def query_cells(tool):
        q = load(f"{tool}.queries.json")
        return ["—", "—"] if not q else [fmt(q["p50_ms"], ".1f"), fmt(q["p95_ms"], ".1f")]

    rows = [
        ("coindex", build_cells("coindex", a.coindex_bytes), query_cells("coindex")),
        ("tantivy-cli", build_cells("tantivy", a.tantivy_bytes), query_cells("tantivy")),
        ("SQLite FTS5", build_cells("sqlite", a.sqlite_bytes), query_cells("sqlite")),
        ("ripgrep", ["—", "—", "—", "—"], query_cells("rg")),
    ]
    L = []
    L.append(f"## coindex vs tantivy-cli, SQLite FTS5, ripgrep — {a.docs} articles\n")
    L.append(f"Corpus: {a.corpus} — {a.docs} files, {mb(raw):.1f} MB raw; "
             f"normalized NDJSON (`coindex export`): {mb(ndjson):.1f} MB. "
             f"Index builds: median of {a.runs} runs. Machine: {a.machine}.\n")
    L.append("| tool | index MB/s (raw corpus) | index MB/s (NDJSON input) | index size / raw | "
             "peak RSS (index) | query p50 ms | query p95 ms |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for name, b, q in rows:
        L.append("| " + " | ".join([name, *b, *q]) + " |")
    L.append("")

    # per-class p50 and per-query hits, to judge what each tool actually did
    qs = {t: load(f"{t}.queries.json") for t in ("coindex", "tantivy", "sqlite", "rg")}
    qs = {t: v for t, v in qs.items() if v}
    classes = list(next(iter(qs.values()))["class_p50_ms"]) if qs else []
    L.append("Query p50 by class (ms; n = timings per tool: "
             + ", ".join(f"{t} {v['n']}" for t, v in qs.items()) + "):\n")
    L.append("| class | " + " | ".join(qs) + " |")
    L.append("|---|" + "---:|" * len(qs))
    for c in classes:
        L.append(f"| {c} | " + " | ".join(fmt(v["class_p50_ms"].get(c), ".1f") for v in qs.values()) + " |")
    L.append("")
    tb = load("tantivy.bench.json")
    if tb:
        L.append(f"tantivy-cli `bench` (same index and queries, in ONE process, top 10 + count, "
                 f"then fetching the 10 stored docs, no snippets, no process start-up): "
                 f"p50 {tb['p50_ms']:.2f} ms, p95 {tb['p95_ms']:.2f} ms over {tb['n']} queries. "
                 f"Not comparable with the per-process column above; shown for scale.\n")
    notes = Path(a.notes).read_text() if a.notes else ""
    L.append(notes.rstrip() + "\n")
    summary = "\n".join(L)

    detail = ["### Hits per query (what each tool returned/matched)\n",
              "| class | query | " + " | ".join(qs) + " |",
              "|---|---|" + "---:|" * len(qs)]
    for cls, q in load_queries(a.queries):
        cells = [str(v["hits"].get(q, "—")) for v in qs.values()]
        detail.append(f"| {cls} | `{q}` | " + " | ".join(cells) + " |")
    detail.append("\ncoindex, SQLite: number of matching documents (`coindex count`, `count(*)`; "
                  "the timed query prints only the top 10). tantivy-cli: documents printed by "
                  "`tantivy search` (= every match). ripgrep: matching files.\n")
    detail.append("### Exact timed commands\n")
    for t in ("coindex", "tantivy", "sqlite"):
        b = load(f"{t}.build.json")
        if b:
            detail.append(f"- {t} build: `{b['cmd']}`")
    for t, v in qs.items():
        ex = list(v["commands"].items())
        for q, c in ex[:1] + [e for e in ex if e[0] in ("sec etf halving", '"mt gox"')]:
            detail.append(f"- {t} query `{q}`: `{show(c)}`")
    full = summary + "\n" + "\n".join(detail) + "\n"
    Path(a.work, "compare.md").write_text(full)
    print(summary)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="sub", required=True)
    p = sub.add_parser("size"); p.add_argument("path"); p.set_defaults(f=cmd_size)
    p = sub.add_parser("build")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--prep", default="", help="bash snippet run (untimed) before each run")
    p.add_argument("--stdin", help="file fed to the command's stdin")
    p.add_argument("--ok", default="0", help="accepted exit codes, comma-separated")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(f=cmd_build)
    p = sub.add_parser("floor")
    p.add_argument("--reps", type=int, default=30)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(f=cmd_floor)
    p = sub.add_parser("stage-sqlite"); p.add_argument("ndjson"); p.add_argument("db")
    p.set_defaults(f=cmd_stage_sqlite)
    p = sub.add_parser("queries")
    p.add_argument("tool", choices=["coindex", "sqlite", "tantivy", "rg"])
    p.add_argument("--bin", required=True, help="the tool's binary")
    p.add_argument("--target", required=True, help="index dir, database or corpus dir")
    p.add_argument("--queries", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.set_defaults(f=cmd_queries)
    p = sub.add_parser("tantivy-bench"); p.add_argument("file"); p.set_defaults(f=cmd_tantivy_bench)
    p = sub.add_parser("report")
    for k in ("work", "corpus", "queries", "machine", "notes"):
        p.add_argument("--" + k, default="")
    for k in ("raw-bytes", "ndjson-bytes", "coindex-bytes", "tantivy-bytes", "sqlite-bytes",
              "docs", "runs"):
        p.add_argument("--" + k, type=int, default=0)
    p.set_defaults(f=cmd_report)
    a = ap.parse_args()
    a.f(a)


if __name__ == "__main__":
    main()
