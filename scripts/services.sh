#!/usr/bin/env bash
# Makes sure the Redis and PostgreSQL servers the scale-out tests use answer on 127.0.0.1 (Redis 6379, PostgreSQL 5432,
# database `test`): starts an installed one that is not running, then says clearly what is still missing.
set -uo pipefail
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q >/dev/null 2>&1; }
if ! redis_up && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1
fi
for _ in $(seq 1 30); do
  redis_up && pg_up && exit 0
  sleep 1
done
redis_up || echo 'Redis is not answering on 127.0.0.1:6379: install and start it (e.g. `apt-get install redis-server`, or `docker run -p 6379:6379 redis:7`).' >&2
pg_up || echo 'PostgreSQL is not answering on 127.0.0.1:5432: install and start it with trust auth for user postgres and a database `test` (e.g. `docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15`).' >&2
exit 1
