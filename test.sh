#!/usr/bin/env bash
# Runs every test of the solution (unit, storage, simulator and end-to-end). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test SpinPet.slnx -c Release "$@"
