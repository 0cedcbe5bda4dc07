#!/usr/bin/env bash
# `npm test`: install if needed, check/start PostgreSQL and Redis, recreate the test database, then
# lint, typecheck, build, and run every package's unit, integration and browser tests.
source "$(dirname "$0")/lib.sh"

# A dedicated database, Redis index, queue prefix and data folder: tests never touch the platform's.
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/segmenta_test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
export QUEUE_PREFIX="segmenta-test"
export DATA_DIR="$ROOT/.test-data"
export NEXT_TELEMETRY_DISABLED=1
export SEGMENTA_TEST=1

install_deps
ensure_services
ensure_chromium

rm -rf "$DATA_DIR" .test-results
mkdir -p .test-results
npx --no-install tsx scripts/prepare-database.ts --recreate --seed

say "lint + typecheck + build"
npx --no-install turbo run lint typecheck build --output-logs=errors-only

say "tests"
status=0
# One package at a time: the machine has two cores and the model tests use both.
npx --no-install turbo run test --concurrency=1 --continue || status=$?

node scripts/test-summary.mjs .test-results || status=1
exit $status
