#!/usr/bin/env bash
# The report.html screenshot test needs a real browser. Debian's chromium is installed here, once,
# and only when we can (root) and must (missing); otherwise the test skips with a message.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: /usr/bin/chromium is missing and we are not root; the report.html screenshot test will skip" >&2
  exit 0
fi
# Another process may be installing at the same time (parallel CI steps): serialise on a lock.
exec 9>/tmp/genie-ensure-chromium.lock
flock 9
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }; then
  echo "ensure-chromium: apt-get could not install chromium; the report.html screenshot test will skip" >&2
fi
exit 0
