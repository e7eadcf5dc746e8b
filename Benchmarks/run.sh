#!/usr/bin/env bash
# Every benchmark of Benchmarks/RESULTS.md, each as a ratio against a floor measured in this same run.
#
#   Benchmarks/run.sh                       # sizes 1000, 3000 and 10000, a 1 GiB database (about 30 minutes)
#   SIZES="1000" DB_GIB=0 Benchmarks/run.sh # quicker: no 10,000 set, no big database
#   RUNS=5 SCRATCH=.build-bench Benchmarks/run.sh
#   MANY=0 Benchmarks/run.sh                # skip the 1,000-database benchmark
#   CHECKS=0 MANY=0 SIZES="1000 3000" Benchmarks/run.sh   # only the fingerprint rows
#   STATIC=0 Benchmarks/run.sh              # time the dynamically linked binary instead of the shipped static one
#
# The launch cache (see LaunchCache.swift) lives in $WORK/cache for the run; the "cold" rows turn it off.
#
# Needs the sqlite3 shell and GNU time (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES-"1000 3000 10000"}   # SIZES="" skips the generated sets
RUNS=${RUNS:-5}
BIG_RUNS=${BIG_RUNS:-1}   # sets of 10,000 take minutes per run, on both sides
WHOLE_RUNS=${WHOLE_RUNS:-30}
DB_GIB=${DB_GIB:-1}
CHECKS=${CHECKS:-1}   # CHECKS=0 skips the healthy-check and launch rows (1–3)
SCRATCH=${SCRATCH:-.build}
WORK=${WORK:-$(mktemp -d /tmp/schema-reconcile-bench.XXXXXX)}
STATIC=${STATIC:-1}
export SCHEMA_RECONCILE_CACHE_DIR="$WORK/cache"

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
        else
            echo "missing $1 (install package $2)" >&2; exit 1
        fi
    fi
}
need sqlite3 sqlite3
[ -x /usr/bin/time ] || need /usr/bin/time time

# The shipped binary is built with scripts/release-flags.sh (static Swift runtime, DESIGN §8). Every
# product is built the same way: switching flags between builds recompiles every module. STATIC=0
# keeps the same code generation with the Swift runtime linked dynamically.
. scripts/release-flags.sh
linking_flag=$([ "$STATIC" = "1" ] && echo "$release_flags" || echo "${release_flags#--static-swift-stdlib }")
for product in schema-reconcile generate-migrations bench; do
    swift build -c release --scratch-path "$SCRATCH" --product "$product" $linking_flag >/dev/null
done
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path $linking_flag)

# memory_split command...: runs it once and prints "ANON FILE", the largest RssAnon and RssFile (KiB)
# seen in /proc/PID/status every 20 ms: the process's own memory, and the pages of its binary and
# libraries it mapped (shared, clean, and part of what GNU time's peak RSS counts).
memory_split() {
    "$@" >/dev/null 2>&1 &
    local pid=$! anon=0 file=0 a f
    while kill -0 "$pid" 2>/dev/null; do
        read -r a f < <(awk '/^RssAnon/ {a = $2} /^RssFile/ {f = $2} END {print a + 0, f + 0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
        [ "$a" -gt "$anon" ] && anon=$a
        [ "$f" -gt "$file" ] && file=$f
        sleep 0.02
    done
    wait "$pid" || true
    echo "$anon $file"
}

# time_runs N command...: prints "MIN MEDIAN" in seconds over N runs of a whole process.
time_runs() {
    local n=$1; shift
    local samples=()
    for _ in $(seq "$n"); do
        local start end
        start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N)
        samples+=($(( end - start )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.6f %.6f\n", a[1]/1e9, a[int((NR+1)/2)]/1e9}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ms() { awk -v a="$1" 'BEGIN {printf "%.1f ms", a * 1000}'; }
s() { awk -v a="$1" 'BEGIN {printf "%.2f s", a}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(sqlite3 --version | cut -d' ' -f1) sqlite3 shell"
echo "date: $(date -u +%Y-%m-%d)"
echo
echo "| benchmark | schema-reconcile (min / median) | floor (min / median) | ratio (median) | goal |"
echo "|---|---|---|---|---|"

if [ "$CHECKS" != "0" ]; then
# 1. Healthy pre-launch check as a whole process vs `sqlite3 DB .schema`.
cp Fixtures/consistent-tip.sqlite "$WORK/tip.sqlite"
linking=$([ "$STATIC" = "1" ] && echo "static" || echo "dynamic")
"$BIN/schema-reconcile" check "$WORK/tip.sqlite" >/dev/null # writes the launch cache's record
read -r cmin cmed < <(time_runs "$WHOLE_RUNS" "$BIN/schema-reconcile" check "$WORK/tip.sqlite")
read -r fmin fmed < <(time_runs "$WHOLE_RUNS" sqlite3 "$WORK/tip.sqlite" .schema)
read -r kmin kmed < <(time_runs "$WHOLE_RUNS" env SCHEMA_RECONCILE_CACHE=off "$BIN/schema-reconcile" check "$WORK/tip.sqlite")
read -r vmin vmed < <(time_runs "$WHOLE_RUNS" "$BIN/schema-reconcile" --version)
echo "| healthy \`check\` (lock, launch cache) whole process, $linking binary, vs \`sqlite3 DB .schema\` | $(ms "$cmin") / $(ms "$cmed") | $(ms "$fmin") / $(ms "$fmed") | $(ratio "$cmed" "$fmed")× | ≤ 3× |"
echo "| the same without the launch cache (first run after an install) | $(ms "$kmin") / $(ms "$kmed") | $(ms "$fmin") / $(ms "$fmed") | $(ratio "$kmed" "$fmed")× | — |"
echo "| \`schema-reconcile --version\` (start-up and exit only) | $(ms "$vmin") / $(ms "$vmed") | $(ms "$fmin") / $(ms "$fmed") | $(ratio "$vmed" "$fmed")× | — |"

# 2. In-process healthy check vs a minimal GRDB read of sqlite_schema + ledger.
"$BIN/bench" healthy Migrations "$WORK/tip.sqlite" 300 > "$WORK/healthy.txt"
floor=$(awk '/floor/ {print $(NF-1)}' "$WORK/healthy.txt")
lib=$(awk '/quick check/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/healthy.txt")
libcold=$(awk '/cold check/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/healthy.txt")
libmiss=$(awk '/memo missed/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/healthy.txt")
only=$(awk '/diagnose only/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/healthy.txt")
full=$(awk '/full diagnose/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/healthy.txt")
echo "| in-process healthy \`quickCheck\` (load set + check, launch cache: verdict remembered) vs GRDB read | $lib ms median | $floor ms median | $(ratio "$lib" "$floor")× | ≤ 2× |"
echo "| the same, launch record warm but the verdict memo missed (first launch after a schema or ledger change) | $libmiss ms median | $floor ms median | $(ratio "$libmiss" "$floor")× | — |"
echo "| the same without the launch cache | $libcold ms median | $floor ms median | $(ratio "$libcold" "$floor")× | — |"
echo "| in-process full \`diagnose\` (set + manifest + whole lock) vs GRDB read | $full ms median | $floor ms median | $(ratio "$full" "$floor")× | — |"
echo "| in-process diagnose only (set preloaded) vs GRDB read | $only ms median | $floor ms median | $(ratio "$only" "$floor")× | — |"

# 2b. The pre-launch call on a healthy database: a folder (quick path), and the same SQL as a GRDB migrator.
"$BIN/bench" launch Migrations "$WORK/tip.sqlite" 100 > "$WORK/launch.txt"
median() { awk -v key="$1" 'index($0, key) {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/launch.txt"; }
sqlx_floor=$(median "floor, sqlx"); grdb_floor=$(median "floor, GRDB")
folder=$(median "quick path"); foldercold=$(median "no launch cache"); warm=$(median "made once"); cold=$(median "replays the migrator")
echo "| in-process \`prepareForLaunch(migrationsFolder:)\`, healthy (quick path, launch cache: verdict remembered) vs GRDB read | $folder ms median | $sqlx_floor ms median | $(ratio "$folder" "$sqlx_floor")× | ≤ 2× |"
echo "| the same without the launch cache | $foldercold ms median | $sqlx_floor ms median | $(ratio "$foldercold" "$sqlx_floor")× | — |"
echo "| in-process \`Reconciler(migrator:)\` made once, \`prepareForLaunch\` each launch vs GRDB read of schema + grdb_migrations | $warm ms median | $grdb_floor ms median | $(ratio "$warm" "$grdb_floor")× | — |"
echo "| in-process \`Reconciler(migrator:)\` + \`prepareForLaunch\` (replays 34 migrations) vs the same read | $cold ms median | $grdb_floor ms median | $(ratio "$cold" "$grdb_floor")× | — |"

# 3. The same check on a database with DB_GIB GiB of user data vs the empty-data one.
if [ "$DB_GIB" != "0" ]; then
    cp Fixtures/consistent-tip.sqlite "$WORK/big.sqlite"
    rows=$(( DB_GIB * 1024 * 1024 ))  # 1 KiB payloads
    sqlite3 "$WORK/big.sqlite" "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
        INSERT INTO thread_items (thread_id, seq, kind, payload, created_at)
        SELECT 't3', i, 'tool_result', json_object('blob', hex(randomblob(500))), 1000 FROM n;" >/dev/null
    size=$(du -h "$WORK/big.sqlite" | cut -f1)
    # The insert leaves a gigabyte of dirty pages: their writeback would land in the timings.
    sync
    read -r bmin bmed < <(time_runs "$WHOLE_RUNS" "$BIN/schema-reconcile" check "$WORK/big.sqlite")
    # The small database again, right after, so both medians come from the same minutes.
    read -r smin smed < <(time_runs "$WHOLE_RUNS" "$BIN/schema-reconcile" check "$WORK/tip.sqlite")
    echo "| healthy \`check\` on a $size database vs the same schema with little data | $(ms "$bmin") / $(ms "$bmed") | $(ms "$smin") / $(ms "$smed") | $(ratio "$bmed" "$smed")× | ≤ 1.1× |"
    # What a healthy diagnosis reads of each file, and whether it explored other histories.
    "$BIN/bench" reads Migrations "$WORK/tip.sqlite" "$WORK/big.sqlite" > "$WORK/reads.txt"
    read -r sread sreplays < <(awk -F'read | bytes, history replays ' '/tip.sqlite/ {print $2, $3}' "$WORK/reads.txt")
    read -r bread breplays < <(awk -F'read | bytes, history replays ' '/big.sqlite/ {print $2, $3}' "$WORK/reads.txt")
    echo "| bytes a healthy diagnosis reads of the $size database (history replays) | $bread B ($breplays) | $sread B ($sreplays) | $(ratio "$bread" "$sread")× | same bytes, 0 replays |"
fi

fi

# 4. Many databases: one call on every core vs one process per database, and vs one thread.
MANY=${MANY:-1000}
if [ "$MANY" != "0" ]; then
    many="$WORK/many"
    mkdir -p "$many"
    for i in $(seq -w 1 "$MANY"); do cp Fixtures/consistent-tip.sqlite "$many/db-$i.sqlite"; done
    read -r pmin pmed < <(time_runs 1 sh -c "for f in '$many'/*.sqlite; do '$BIN/schema-reconcile' check \"\$f\" >/dev/null; done")
    read -r jmin jmed < <(time_runs "$RUNS" "$BIN/schema-reconcile" check --recursive "$many")
    read -r omin omed < <(time_runs "$RUNS" "$BIN/schema-reconcile" check --recursive --jobs 1 "$many")
    echo "| $MANY healthy databases: one \`check --recursive\` call vs one process each (speed-up) | $(s "$jmin") / $(s "$jmed") | $(s "$pmin") / $(s "$pmed") | $(ratio "$pmed" "$jmed")× faster | ≥ 20× |"
    echo "| the same call on $(nproc) cores vs \`--jobs 1\` (speed-up) | $(s "$jmin") / $(s "$jmed") | $(s "$omin") / $(s "$omed") | $(ratio "$omed" "$jmed")× faster | ≥ 1.7× on 2 cores |"
fi

# 5–7. Fingerprinting generated sets vs replaying the same SQL with the sqlite3 shell.
for size in $SIZES; do
    set_dir="$WORK/set-$size"
    "$BIN/generate-migrations" "$size" "$set_dir" 42 >/dev/null
    # The floor: the same files, each in a transaction as sqlx runs them, into :memory:.
    for f in "$set_dir"/*.sql; do printf 'BEGIN;\n'; cat "$f"; printf '\nCOMMIT;\n'; done > "$WORK/replay-$size.sql"
    runs=$RUNS
    [ "$size" -ge 10000 ] && runs=$BIG_RUNS
    read -r rmin rmed < <(time_runs "$runs" /usr/bin/time -a -o "$WORK/rss-floor-$size" -f "%M" \
        sh -c "sqlite3 :memory: < '$WORK/replay-$size.sql'")
    # GNU time records each timed run's peak resident set size (KiB); the largest is reported.
    read -r gmin gmed < <(time_runs "$runs" /usr/bin/time -a -o "$WORK/rss-$size" -f "%M" \
        "$BIN/schema-reconcile" fingerprint --no-lock --migrations "$set_dir" --format json)
    rss=$(sort -n "$WORK/rss-$size" | tail -1)
    # Issue 14's goals: 1.5× at 1,000 migrations, 2× beyond; 32 MB at 3,000, 64 MB at 10,000.
    speed_goal=$([ "$size" -le 1000 ] && echo "≤ 1.5×" || echo "≤ 2×")
    rss_goal=$([ "$size" -ge 10000 ] && echo "≤ 64 MB" || { [ "$size" -ge 3000 ] && echo "≤ 32 MB" || echo "—"; })
    echo "| \`fingerprint\` of $size generated migrations vs sqlite3 shell replay ($runs run(s)) | $(s "$gmin") / $(s "$gmed") | $(s "$rmin") / $(s "$rmed") | $(ratio "$gmed" "$rmed")× | $speed_goal |"
    if [ "$size" = "1000" ]; then
        "$BIN/bench" fingerprint "$set_dir" "$RUNS" > "$WORK/grdb.txt"
        grdb=$(awk '/hasSchemaChanges/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/grdb.txt")
        ours=$(awk '/every per-version/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i+1)}' "$WORK/grdb.txt")
        echo "| every per-version fingerprint of 1000 migrations vs GRDB \`hasSchemaChanges\` (one answer) | $ours ms median | $grdb ms median | $(ratio "$ours" "$grdb")× | < 1× |"
    fi
    floor_rss=$(sort -n "$WORK/rss-floor-$size" | tail -1)
    echo "| peak RSS of \`fingerprint\` on $size migrations (floor: the sqlite3 shell's) | $(( rss / 1024 )) MB | $(( floor_rss / 1024 )) MB | — | $rss_goal |"
    read -r anon file < <(memory_split "$BIN/schema-reconcile" fingerprint --no-lock --migrations "$set_dir" --format json)
    read -r floor_anon floor_file < <(memory_split sh -c "exec sqlite3 :memory: < '$WORK/replay-$size.sql'")
    echo "| the same split: largest anonymous / file-backed resident set (one more run each, sampled every 20 ms) | $(( anon / 1024 )) / $(( file / 1024 )) MB | $(( floor_anon / 1024 )) / $(( floor_file / 1024 )) MB | — | — |"
done
echo
echo "(work files in $WORK)"
