#!/usr/bin/env bash
# Compares two checkouts on one benchmark, runs interleaved (before, after, before, after...) so a
# machine that gets busier or quieter during the session weighs on both alike. Prints each run's
# figure lines (BENCH_LINES, a grep -E pattern, picks them) and keeps the full reports in a folder.
#
#   bash bench/interleave.sh <before-checkout> <after-checkout> <runs> <npm script> [-- flags]
#   e.g. bash bench/interleave.sh ../before . 5 bench:ingest
#
# Each checkout needs its dependencies (`npm ci`, or node_modules linked) and `npm run setup`'s tools.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,9p' "$0"; exit 2; }
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
runs=$3
script=$4
shift 4
[ "${1:-}" = "--" ] && shift
out=${BENCH_OUT:-$(mktemp -d -t "interleave-${script//:/-}-XXXX")}
mkdir -p "$out"
echo "reports in $out"
for i in $(seq 1 "$runs"); do
  for side in before after; do
    dir=$before
    [ "$side" = after ] && dir=$after
    report="$out/$side-$i.txt"
    (cd "$dir" && npm run -s "$script" -- "$@" >"$report" 2>&1) || echo "  ($side run $i exited non-zero)"
    printf '%s %s: ' "$side" "$i"
    grep -E "${BENCH_LINES:-^(ratio |offered:|core )}" "$report" | tr -s ' ' | tr '\n' ' '
    echo
  done
done
