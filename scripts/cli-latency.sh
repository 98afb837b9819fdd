#!/usr/bin/env bash
# Start-up cost of a client command: `toyrrent get KEY` against a running
# daemon, next to `node -e 0`, runs interleaved so all see the same load.
#   scripts/cli-latency.sh [RUNS] [OTHER_MAIN_JS]
# OTHER_MAIN_JS: another build's dist/src/cli/main.js to compare with (e.g. a
# checkout of an older commit). Prints the median wall time and CPU time of
# each, and of `get` minus `node -e 0` (what toyrrent itself costs; on a
# shared machine the difference is steadier than either figure).
#   get (main.js)       the CLI entry run directly, KEY found through --api
#   toyrrent get        bin/toyrrent.js (what npm links), the daemon found
#                       through its data dir's `api` file, as a user runs it
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
OTHER=${2:-}
NODE=node_modules/node/bin/node
MAIN=dist/src/cli/main.js
DIR=$(mktemp -d)
trap 'kill $DAEMON 2>/dev/null || true; rm -rf "$DIR"' EXIT
$NODE $MAIN daemon --data-dir "$DIR/d" --listen /ip4/127.0.0.1/tcp/0 --api 127.0.0.1:0 --replicas 1 > "$DIR/out" 2>&1 &
DAEMON=$!
for _ in $(seq 300); do grep -q '^api:' "$DIR/out" && break; sleep 0.1; done
API=$(sed -n 's#^api: http://##p' "$DIR/out")
KEY=$($NODE $MAIN put --api "$API" 'latency probe')
# a first run of each fills the compile cache
$NODE $MAIN get --api "$API" "$KEY" > /dev/null

names=("node -e 0" "get (main.js)" "toyrrent get")
cmds=("$NODE -e 0" "$NODE $MAIN get --api $API $KEY" "env TOYRRENT_DATA_DIR=$DIR/d $NODE bin/toyrrent.js get $KEY")
if [ -n "$OTHER" ]; then names+=("get ($OTHER)"); cmds+=("$NODE $OTHER get --api $API $KEY"); $NODE $OTHER get --api "$API" "$KEY" > /dev/null; fi
declare -A WALL CPU
for _ in $(seq "$RUNS"); do
  for i in "${!cmds[@]}"; do
    start=$(date +%s%N)
    /usr/bin/time -o "$DIR/t" -f "%U %S" ${cmds[$i]} > /dev/null 2>&1
    end=$(date +%s%N)
    WALL[$i]+="$(( (end - start) / 1000000 )) "
    CPU[$i]+="$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$DIR/t") "
  done
done
median () { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# run by run differences from node -e 0 (same moment, same load), then their median
minus () { paste -d' ' <(echo "$1" | tr ' ' '\n' | grep -v '^$') <(echo "$2" | tr ' ' '\n' | grep -v '^$') | awk '{ print $1 - $2 }' | tr '\n' ' ' | median; }
echo "load: $(uptime | sed 's/.*load average: //'), $RUNS runs each, medians"
for i in "${!cmds[@]}"; do
  extra=''
  if [ "$i" -gt 0 ]; then extra=$(printf '   minus node -e 0: wall %4s ms, cpu %4s ms' "$(minus "${WALL[$i]}" "${WALL[0]}")" "$(minus "${CPU[$i]}" "${CPU[0]}")"); fi
  printf '%-32s wall %5s ms   cpu %5s ms%s\n' "${names[$i]}" "$(echo "${WALL[$i]}" | median)" "$(echo "${CPU[$i]}" | median)" "$extra"
done
