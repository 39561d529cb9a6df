#!/usr/bin/env bash
# Print the URL of a PostgreSQL test database, starting (or installing) a server if none answers.
# Uses the server on 127.0.0.1:5432 when it is there; otherwise installs Debian's postgresql and
# starts its cluster; if that cluster wants passwords, starts a throwaway trust cluster instead.
set -euo pipefail
DB=casework_test
log() { echo "ensure-postgres: $*" >&2; }

try_url() {  # host port user
  if psql -h "$1" -p "$2" -U "$3" -d postgres -Atc "select 1" >/dev/null 2>&1; then
    psql -h "$1" -p "$2" -U "$3" -d postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
      || psql -h "$1" -p "$2" -U "$3" -d postgres -qc "create database $DB" >&2
    echo "postgresql+psycopg://$3@$1:$2/$DB"
    return 0
  fi
  return 1
}

if command -v psql >/dev/null 2>&1 && try_url 127.0.0.1 5432 postgres; then exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "no PostgreSQL server answers; installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi
version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
if [ -n "$version" ]; then
  log "starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || pg_ctlcluster "$version" main start >&2 2>&1 || true
  for _ in $(seq 1 20); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
  if try_url 127.0.0.1 5432 postgres; then exit 0; fi
fi

# The packaged cluster asks for a password over TCP: start a throwaway cluster with trust auth.
bindir="/usr/lib/postgresql/${version}/bin"
dir=/tmp/casework-pg
log "starting a throwaway trust cluster in $dir on port 5434"
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  su postgres -c "$bindir/initdb -D $dir -U postgres --auth=trust" >/dev/null 2>&1
fi
su postgres -c "$bindir/pg_ctl -D $dir -o '-p 5434 -k /tmp -c fsync=off' -w start" >/dev/null 2>&1 || true
try_url 127.0.0.1 5434 postgres && exit 0
log "could not start PostgreSQL"
exit 1
