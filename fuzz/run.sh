#!/usr/bin/env bash
# Runs every fuzz target for a while (default 30 s each), seeded from
# fuzz/seeds/ (the fixture vaults); new inputs go to fuzz/corpus/ (ignored by
# git). Usage: fuzz/run.sh [seconds per target] [target ...]
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly
# toolchain; without nightly, the stable one runs with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(note bibliography positions document_edits configuration ignore_file)

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

"${fuzz[@]}" build -O
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "== $target: ${seconds}s"
  "${fuzz[@]}" run -O "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | grep -E '^(stat::number_of_executed_units|Done|==)|panicked|ERROR|SUMMARY' || true
  # cargo fuzz exits non-zero on a crash; the pipe hides it, so look for
  # the artifact it leaves.
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "fuzz target $target found a failing input:" >&2
    ls "artifacts/$target" >&2
    exit 1
  fi
done
