#!/usr/bin/env bash
# Installs code-server (real VS Code 1.100.3, served to a browser) and
# playwright-core for the end-to-end test, from the npm registry only.
#
# code-server's install scripts reach outside the registries twice; both are
# answered locally:
#  - @vscode/ripgrep downloads an `rg` tarball from GitHub unless its cache
#    already holds it: seed the cache with Debian's `rg`;
#  - node-gyp downloads Node's headers: build against Debian's (`nodedir`).
# Native modules build from source (Debian: libkrb5-dev libx11-dev
# libxkbfile-dev libsecret-1-dev, plus python3, make, g++); node-pty's
# post-install runs `npx node-gyp`, hence npm_config_yes.
#
# npm 11 blocks dependencies' install scripts unless a project's .npmrc or
# package.json allows them, and refuses an allow-list passed down through
# the environment. code-server's postinstall runs `npm install` inside its
# bundled VS Code, so that folder gets its own .npmrc and the postinstall is
# run here directly rather than through npm.
set -euo pipefail
cd "$(dirname "$0")"

vscode=node_modules/code-server/lib/vscode
if [ -x node_modules/.bin/code-server ] && [ -d "$vscode/node_modules" ] && [ -d node_modules/playwright-core ]; then
  echo "code-server and playwright-core already installed"
  exit 0
fi

seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
cache="$seed/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
cp "$(command -v rg)" "$seed/rg"
tar -C "$seed" -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg

# Scripts off for the tree, then on for argon2 alone: npm would otherwise
# start code-server's postinstall before its nested .npmrc exists.
npm ci --ignore-scripts
npm rebuild argon2 --foreground-scripts

native='@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,kerberos,native-watchdog,node-pty'
for dir in "$vscode" "$vscode/extensions"; do
  printf 'allow-scripts=%s\nnodedir=/usr\n' "$native" >"$dir/.npmrc"
done
(
  cd node_modules/code-server
  TMPDIR="$seed" \
    npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" \
    npm_config_unsafe_perm=true \
    npm_config_yes=true \
    sh ./postinstall.sh
)
