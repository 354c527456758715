#!/usr/bin/env bash
# Runs every test of the solution (unit, storage, simulator and end-to-end). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
# The end-to-end tests run the Node examples, which need the `ws` package (examples/js/package-lock.json).
if [[ ! -d examples/js/node_modules || examples/js/package-lock.json -nt examples/js/node_modules ]]; then
  npm ci --prefix examples/js --no-audit --no-fund --loglevel=error
fi
dotnet test SpinPet.slnx -c Release "$@"
