#!/usr/bin/env bash
# Runs the fault suite RUNS times (default 5) and prints, per scenario, the time the fleet took
# to converge once the fault ended (p50 and max over the runs), for docs/reliability.md.
# Usage: scripts/fault-figures.sh [RUNS]   (after `swift build --build-tests`)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
lines=$(mktemp)
for run in $(seq 1 "$runs"); do
    swift test --skip-build --filter 'PartitionTests|ServerRestartFaultTests|ConnectionResetFaultTests|AgentKillFaultTests|LocalFleetFaultTests' 2>&1 \
        | grep '^fault: ' >> "$lines" || { echo "run $run failed" >&2; exit 1; }
done
# "fault: <scenario>, …converged N ms after the fault ended…" → scenario and N, then p50/max.
sed -E 's/^fault: ([^,(]*)[,(].*converged ([0-9]+) ms after the fault ended.*/\1|\2/' "$lines" | sort -t'|' -k1,1 -k2,2n | awk -F'|' '
    { values[$1] = values[$1] " " $2; count[$1]++ }
    END {
        for (scenario in values) {
            n = split(substr(values[scenario], 2), v, " ")
            printf "%-70s runs %d  p50 %5d ms  max %5d ms\n", scenario, n, v[int((n + 1) / 2)], v[n]
        }
    }' | sort
rm -f "$lines"
