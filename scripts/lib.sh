#!/usr/bin/env bash
# Shared by start.sh and test.sh: environment defaults, dependency install, service checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1;34m[segmenta]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[segmenta] %s\033[0m\n' "$*" >&2; exit 1; }

# Node ≥ 20.19 (Next 16, Vite 8).
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is required (found $(node --version 2>/dev/null || echo none)). Install it from your distribution or nodejs.org."

install_deps() {
  # Reinstall when package-lock.json changed since the last install (or nothing is installed).
  local stamp="node_modules/.segmenta-install-stamp"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
  if [ ! -f packages/db/src/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt packages/db/src/generated/prisma/client.ts ]; then
    say "generating the Prisma client"
    bash scripts/prisma-generate.sh >/dev/null
  fi
}

pg_up() { node -e "
const net=require('net'); const u=new URL(process.argv[1]);
const s=net.connect(+(u.port||5432), u.hostname); s.on('connect',()=>process.exit(0)); s.on('error',()=>process.exit(1)); setTimeout(()=>process.exit(1),2000);" "$1"; }
redis_up() { node -e "
const net=require('net'); const u=new URL(process.argv[1]);
const s=net.connect(+(u.port||6379), u.hostname); s.on('connect',()=>{s.write('PING\r\n')}); s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1)); s.on('error',()=>process.exit(1)); setTimeout(()=>process.exit(1),2000);" "$1"; }

is_local_url() { case "$1" in *@127.0.0.1*|*@localhost*|*://127.0.0.1*|*://localhost*) return 0;; *) return 1;; esac; }

ensure_services() {
  if ! pg_up "$DATABASE_URL"; then
    if is_local_url "$DATABASE_URL" && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      say "PostgreSQL is down; starting it"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      for _ in $(seq 1 20); do pg_up "$DATABASE_URL" && break; sleep 0.5; done
    fi
    pg_up "$DATABASE_URL" || die "PostgreSQL is not reachable at $DATABASE_URL. Install it (apt-get install postgresql) and start it (pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start), or set DATABASE_URL to a running server."
  fi
  if ! redis_up "$REDIS_URL"; then
    if is_local_url "$REDIS_URL" && command -v redis-server >/dev/null; then
      say "Redis is down; starting it"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
      for _ in $(seq 1 20); do redis_up "$REDIS_URL" && break; sleep 0.5; done
    fi
    redis_up "$REDIS_URL" || die "Redis is not reachable at $REDIS_URL. Install it (apt-get install redis-server) and start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no), or set REDIS_URL."
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      say "installing Debian chromium for the browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    [ -x /usr/bin/chromium ] || die "Browser tests need Debian's chromium at /usr/bin/chromium: run 'apt-get install chromium' as root."
  fi
}
