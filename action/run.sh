#!/usr/bin/env bash
# The shell steps of the GitHub Action (action.yml), kept here so that a
# test runs them as the Action does (tests/tests/action.rs).
#
#   run.sh install   cargo install gloss from this checkout into
#                    $GLOSS_INSTALL_DIR (default ~/.gloss-action), unless the
#                    cached one there is this version
#   run.sh check     gloss check with the INPUT_* variables; with the github
#                    format, annotations plus a summary in $GITHUB_STEP_SUMMARY
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

install() {
  local dir="${GLOSS_INSTALL_DIR:-$HOME/.gloss-action}"
  local want
  want="gloss $(sed -n 's/^version = "\(.*\)"/\1/p' "$here/server/Cargo.toml" | head -1)"
  if [ -x "$dir/bin/gloss" ] && [ "$("$dir/bin/gloss" --version)" = "$want" ]; then
    echo "gloss: cached ($want)"
    return
  fi
  cargo install --locked --root "$dir" --path "$here/server"
  "$dir/bin/gloss" --version
}

check() {
  local gloss="${GLOSS:-${GLOSS_INSTALL_DIR:-$HOME/.gloss-action}/bin/gloss}"
  local format="${INPUT_FORMAT:-github}"
  local args=(check --format "$format" --color never)
  if [ -n "${INPUT_CHANGED_SINCE:-}" ]; then
    args+=(--changed-since "$INPUT_CHANGED_SINCE")
  fi
  local extra=() paths=()
  read -r -a extra <<<"${INPUT_ARGS:-}"
  read -r -a paths <<<"${INPUT_PATHS:-.}"
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
  grep '^::' "$out" | head -n 50 |
    sed 's/^::\([a-z]*\) file=\([^,]*\),line=\([0-9]*\).*::\(.*\)$/- `\2:\3` \1: \4/'
  echo
  echo "</details>"
  if [ "$status" -ne 0 ]; then
    echo
    echo "Exit status: $status"
  fi
}

case "${1:-}" in
  install) install ;;
  check) check ;;
  *)
    echo "usage: $0 install|check" >&2
    exit 2
    ;;
esac
