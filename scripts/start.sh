#!/usr/bin/env bash
# `npm start`: install, generate, migrate, seed the demo project, build, then run web + one worker.
source "$(dirname "$0")/lib.sh"

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/segmenta}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DATA_DIR="$(realpath -m "${DATA_DIR:-$ROOT/data}")"
export PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1

# The first admin: from the environment, or a generated password kept beside the data (reused on restarts).
export SEGMENTA_ADMIN_EMAIL="${SEGMENTA_ADMIN_EMAIL:-admin@segmenta.local}"
if [ -z "${SEGMENTA_ADMIN_PASSWORD:-}" ]; then
  mkdir -p "$DATA_DIR"
  pw_file="$DATA_DIR/.admin-password"
  [ -s "$pw_file" ] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("base64url"))' > "$pw_file")
  export SEGMENTA_ADMIN_PASSWORD="$(cat "$pw_file")"
  sign_in_hint="sign in as $SEGMENTA_ADMIN_EMAIL with password $SEGMENTA_ADMIN_PASSWORD (kept in $pw_file)"
else
  sign_in_hint="sign in as $SEGMENTA_ADMIN_EMAIL with SEGMENTA_ADMIN_PASSWORD"
fi

install_deps
ensure_services
npx --no-install tsx scripts/prepare-database.ts --seed
say "building the web app"
npx --no-install turbo run build --filter=@segmenta/web --output-logs=errors-only

pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM

# node --import tsx (not the tsx CLI) so signals reach the worker itself, not a wrapper.
(cd apps/worker && exec node --import tsx src/main.ts) &
pids+=($!)
(cd apps/web && exec "$ROOT/node_modules/.bin/next" start -p "$PORT") &
pids+=($!)

for _ in $(seq 1 120); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$PORT/sign-in"; then
    say "Segmenta is running: http://localhost:$PORT  (health: http://localhost:$PORT/api/health; Ctrl+C stops web and worker)"
    say "$sign_in_hint"
    break
  fi
  sleep 1
done
wait -n "${pids[@]}"
die "a process exited; stopping the platform"
