#!/usr/bin/env bash
# Precision corpus: the published sources of 18 pinned npm packages that are (or embed) Node.js
# services — the code leaklint's rules are written for. The rule pages' precision numbers come
# from linting this tree, and the benchmark corpus, and classifying every finding by hand.
#
# Usage: bench/services.sh [DIR]   (default target/services). Needs npm. Then, for example:
#   leaklint -f json -o services.json target/services
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/services}
packages=(parse-server@9.10.0 meshcentral@1.1.55 ep_etherpad-lite@1.8.14
  @node-red/runtime@5.0.7 @node-red/nodes@5.0.7 @node-red/editor-api@5.0.7 ghost@5.130.6
  json-server@0.17.4 node-media-server@4.4.3 peer@1.0.2 verdaccio@6.8.0
  @hocuspocus/server@3.4.4 y-websocket@3.1.0 moleculer@0.14.36
  @feathersjs/transport-commons@5.0.50 bull@4.16.5 kue@0.11.6 agenda@6.2.6)
bench/npm-sources.sh "$dir" "${packages[@]}"
echo "$dir: $(find "$dir" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' -o -name '*.tsx' \) | wc -l) source files" >&2
