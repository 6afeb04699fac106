#!/bin/sh
# Starts redis-server with one ACL user per service, from REDIS_AUTH_PASSWORD and
# REDIS_WORKER_PASSWORD (the container supervisor has no Redis access at all). The default
# user is off (so protected mode has nothing to protect and is turned off). Both users are limited to the gt: keys and channels and lose @dangerous
# commands (FLUSHALL, KEYS, CONFIG, DEBUG, ...), keeping INFO and CLUSTER for the clients'
# ready checks. The passwords reach redis-server as arguments inside its own container
# only; the ACL rules are checked by infra/test/deployment.test.ts.
set -eu
: "${REDIS_AUTH_PASSWORD:?set REDIS_AUTH_PASSWORD}" "${REDIS_WORKER_PASSWORD:?set REDIS_WORKER_PASSWORD}"
RULES='~gt:* &gt:* +@all -@dangerous +info +cluster|info +cluster|slots +cluster|shards +cluster|nodes'
# shellcheck disable=SC2086
exec redis-server "$@" --protected-mode no --user default off resetpass \
  --user auth on ">$REDIS_AUTH_PASSWORD" $RULES \
  --user worker on ">$REDIS_WORKER_PASSWORD" $RULES
