#!/usr/bin/env bash
# Start-up cost of a client command: `toyrrent get KEY` against a running
# daemon, next to `node -e 0`, runs interleaved so both see the same load.
#   scripts/cli-latency.sh [RUNS] [OTHER_MAIN_JS]
# OTHER_MAIN_JS: another build's dist/src/cli/main.js to compare with (e.g. a
# checkout of an older commit). Prints the median wall time and CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
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

names=("node -e 0" "get (this build)")
cmds=("$NODE -e 0" "$NODE $MAIN get --api $API $KEY")
if [ -n "$OTHER" ]; then names+=("get ($OTHER)"); cmds+=("$NODE $OTHER get --api $API $KEY"); fi
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
for i in "${!cmds[@]}"; do
  printf '%-40s wall %5s ms   cpu %5s ms\n' "${names[$i]}" "$(echo "${WALL[$i]}" | median)" "$(echo "${CPU[$i]}" | median)"
done
