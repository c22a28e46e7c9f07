#!/usr/bin/env bash
# The shell steps of the GitHub Action (action.yml), kept here so that a
# test runs them as the Action does (tests/tests/action.rs).
#
#   run.sh key       the cache key of this checkout's gloss (`key=…`, for
#                    $GITHUB_OUTPUT): a hash of its sources, since the
#                    Action's ref is not known inside a composite action
#   run.sh install   cargo install gloss from this checkout into
#                    $GLOSS_INSTALL_DIR (default ~/.gloss-action), unless the
#                    one there was built from the same sources
#   run.sh check     gloss check with the INPUT_* variables; with the github
#                    format, annotations plus a summary in $GITHUB_STEP_SUMMARY
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# A hash of everything the binary is built from.
source_key() {
  (
    cd "$here"
    find Cargo.lock Cargo.toml server grammar -type f \
      \( -name '*.rs' -o -name '*.toml' -o -name '*.lock' -o -name '*.c' -o -name '*.h' -o -name '*.json' \) |
      LC_ALL=C sort | xargs cat | sha256sum | cut -c1-20
  )
}

key() {
  echo "key=gloss-${RUNNER_OS:-local}-${RUNNER_ARCH:-any}-$(source_key)"
}

install() {
  local dir="${GLOSS_INSTALL_DIR:-$HOME/.gloss-action}"
  local want
  want="$(source_key)"
  if [ -x "$dir/bin/gloss" ] && [ "$(cat "$dir/source-key" 2>/dev/null)" = "$want" ]; then
    echo "gloss: cached ($("$dir/bin/gloss" --version))"
    return
  fi
  cargo install --locked --force --root "$dir" --path "$here/server"
  echo "$want" >"$dir/source-key"
  "$dir/bin/gloss" --version
}

check() {
  local gloss="${GLOSS:-${GLOSS_INSTALL_DIR:-$HOME/.gloss-action}/bin/gloss}"
  local format="${INPUT_FORMAT:-github}"
  local args=(check --format "$format" --color never)
  if [ -n "${INPUT_CHANGED_SINCE:-}" ]; then
    args+=(--changed-since "$INPUT_CHANGED_SINCE")
  fi
  # Inputs may span lines (`args: |`): split on any blank.
  local extra=() paths=()
  read -r -d '' -a extra <<<"${INPUT_ARGS:-}" || true
  read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
  args+=("${extra[@]}" "${paths[@]}")

  local out status=0
  out="$(mktemp)"
  "$gloss" "${args[@]}" >"$out" || status=$?
  cat "$out"
  if [ "$format" = github ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    summary "$out" "$status" >>"$GITHUB_STEP_SUMMARY"
  fi
  if [ "${INPUT_SARIF:-false}" = true ]; then
    # A second run for code scanning: the SARIF report of the same files.
    local sarif_args=("${args[@]}")
    sarif_args[2]=sarif
    "$gloss" "${sarif_args[@]}" >gloss.sarif || true
  fi
  rm -f "$out"
  return "$status"
}

# GitHub shows only a few annotations per step: the summary counts them
# all, by severity and code, and lists the first ones.
summary() {
  local out="$1" status="$2"
  echo "## gloss check"
  echo
  if [ "$status" -gt 1 ]; then
    echo "gloss failed (exit status $status): see the step's log."
    return
  fi
  if ! grep -q '^::' "$out"; then
    echo "No problems found."
    return
  fi
  echo "| severity | code | count |"
  echo "|---|---|---:|"
  sed -n 's/^::\([a-z]*\) .*title=gloss(\([a-z0-9-]*\)).*/\1 \2/p' "$out" |
    sort | uniq -c | sort -rn |
    while read -r count severity code; do
      echo "| $severity | \`$code\` | $count |"
    done
  echo
  echo "<details><summary>First problems</summary>"
  echo
  # Property values escape `:` (`%3A`), so the first `::` after them ends
  # them; the message's own `%0A`, `%0D` and `%25` are undone.
  grep -m 50 '^::' "$out" |
    sed -e 's/^::\([a-z]*\) file=\([^,]*\),line=\([0-9]*\)[^:]*::\(.*\)$/- `\2:\3` \1: \4/' \
      -e 's/%0A/ /g; s/%0D//g; s/%25/%/g'
  echo
  echo "</details>"
  if [ "$status" -ne 0 ]; then
    echo
    echo "Exit status: $status"
  fi
}

case "${1:-}" in
  key) key ;;
  install) install ;;
  check) check ;;
  *)
    echo "usage: $0 key|install|check" >&2
    exit 2
    ;;
esac
