#!/usr/bin/env bash
# `npm start`: install, generate, migrate, seed the demo project, build, then run the web server and
# one supervised worker (scripts/platform.ts).
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

# Web server and one supervised worker: a worker that dies is restarted (the web keeps serving);
# Ctrl+C stops both.
exec node --import tsx scripts/platform.ts "$sign_in_hint"
