#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for the tests (Debian's package; it refuses to run as
# root, so the data dir belongs to the postgres user). Prints the DSN on its last line.
# Usage: DSN=$(bash .ci/postgres.sh start DIR)   and later   bash .ci/postgres.sh stop DIR
set -euo pipefail
action=${1:?start|stop} dir=${2:?data dir}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ "$action" = stop ]; then
    [ -n "$bin" ] && [ -d "$dir/data" ] && su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit 0
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq >&2 && timeout 600 apt-get install -y -qq postgresql >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$dir"
chown postgres "$dir"
chmod 700 "$dir"
su postgres -s /bin/sh -c "'$bin/initdb' -D '$dir/data' -A trust -U postgres --no-sync" >&2
su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off\" start" >&2
su postgres -s /bin/sh -c "'$bin/createdb' -h 127.0.0.1 -p $port -U postgres fsfield_test" >&2
echo "postgresql://postgres@127.0.0.1:$port/fsfield_test"
