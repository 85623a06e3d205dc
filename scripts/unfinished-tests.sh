#!/usr/bin/env bash
# Names the tests a `swift test` log shows as started but never finished: what a hung or killed
# run was doing. Usage: scripts/unfinished-tests.sh LOG
set -euo pipefail
log=${1:?usage: $0 LOG}
# Strip colours, then keep "started" names that no "passed"/"failed" line closes.
sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\r$//' "$log" | awk '
    /^[^ ]+ Test case passing / { next }
    /^[^ ]+ Test .* started\.$/ {
        name = $0; sub(/^[^ ]+ Test /, "", name); sub(/ started\.$/, "", name)
        started[name] = NR; next
    }
    / (passed|failed) after / && /^[^ ]+ Test / {
        name = $0; sub(/^[^ ]+ Test /, "", name)
        sub(/ with [0-9]+ test cases? (passed|failed) after .*$/, "", name)
        sub(/ (passed|failed) after .*$/, "", name)
        delete started[name]
    }
    END { for (name in started) if (name != "run") print name }
' | sort
