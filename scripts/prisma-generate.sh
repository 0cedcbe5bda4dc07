#!/usr/bin/env bash
# Generates the Prisma client offline. Every Prisma CLI command first tries to download the native
# schema engine; `generate` never runs it, so pointing the variable at any existing file is enough.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/node_modules/@prisma/schema-engine-wasm/schema_engine_bg.wasm}"
export PRISMA_HIDE_UPDATE_MESSAGE=1
npx --no-install prisma generate --schema prisma/schema.prisma
