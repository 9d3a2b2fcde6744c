#!/usr/bin/env bash
# The Redis store tests (apply --store redis) need a real redis-server. Debian's package is installed here,
# once, and only when we can (root) and must (missing); otherwise those tests skip with a message.
# The package's own service is not used: each test starts its own redis-server on a free port.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-redis: redis-server is missing and we are not root; the Redis store tests will skip" >&2
  exit 0
fi
# Another process may be installing at the same time (parallel CI steps): serialise on a lock.
exec 9>/tmp/genie-ensure-redis.lock
flock 9
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: the package must not start (or leave running) a system-wide redis on port 6379.
cleanup_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  cleanup_policy=1
fi
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server; }; then
  echo "ensure-redis: apt-get could not install redis-server; the Redis store tests will skip" >&2
fi
if [ "$cleanup_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
exit 0
