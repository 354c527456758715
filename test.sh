#!/usr/bin/env bash
# Runs every test of the solution (unit, storage, simulator and end-to-end). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
# The end-to-end tests run the Node examples, which need the `ws` package (examples/js/package-lock.json); the
# Socket.IO tests run the real socket.io-client (tests/socketio-client/package-lock.json).
for folder in examples/js tests/socketio-client; do
  if [[ ! -d $folder/node_modules || $folder/package-lock.json -nt $folder/node_modules ]]; then
    npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
  fi
done
dotnet test SpinPet.slnx -c Release "$@"
