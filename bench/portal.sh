#!/usr/bin/env bash
# Benchmarks Herald's public portal against nginx serving Herald's own static
# export, and Herald's export against Hugo building the same articles.
#
#   bench/portal.sh                      # N=10000 articles, wrk runs of 15s
#   N=100000 DURATION=30s bench/portal.sh
#
# Environment: N (articles, default 10000), DURATION (each wrk run, default
# 15s), CONNECTIONS (default 64), THREADS (wrk threads, default 2), WORK (work
# folder, default a new /tmp/herald-bench.*), PUBLISH_SAMPLES (incremental
# publications timed, at most the demo's approved articles, default 3),
# KEEP_SITES=1 keeps the exported sites (several GB at N=100000), STEP_TIMEOUT
# (seconds allowed to each step that grows with N, default 600 + N/10).
#
# At N=10000 a run takes about 6 minutes on 2 cores, most of it in the two full
# exports (herald export, and serve --export-dir, which exports again in the
# background once it listens) and the Hugo build. The export's cost per page grows with N, so
# expect hours at N=100000.
#
# Everything listens on 127.0.0.1 only. Every step is bounded in time, and the
# processes the script starts are stopped on exit. The results are printed as
# Markdown and written to $WORK/results.md.
set -euo pipefail

N=${N:-10000}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PUBLISH_SAMPLES=${PUBLISH_SAMPLES:-3}
KEEP_SITES=${KEEP_SITES:-0}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/herald-bench.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
chmod 755 "$WORK"
# A generous bound for the steps whose time grows with N (seed, full export,
# Hugo build, a server that exports at start).
STEP_TIMEOUT=${STEP_TIMEOUT:-$((600 + N / 10))}
PASSWORD=herald-demo-2026

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---- processes and cleanup -------------------------------------------------
PIDS=()
cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ $KEEP_SITES != 1 ]]; then
		rm -rf "$WORK/site" "$WORK/site-live" "$WORK/hugo-public" "$WORK/hugo/content" 2>/dev/null || true
	fi
	[[ $rc == 0 ]] || log "exit status $rc; logs are in $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() { # stop PID: terminate one process the script started and wait for it
	local pid=$1
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local keep=()
	for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # free_port BASE: the first port from BASE nothing listens on
	local p=$1
	while ! port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}

wait_http() { # wait_http URL SECONDS PID: until URL answers 200, or fail
	local url=$1 deadline=$((SECONDS + $2)) pid=$3
	until curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || die "the server for $url exited"
		((SECONDS < deadline)) || die "$url did not answer within $2 s"
		sleep 0.2
	done
}

ms_now() { echo $(( ${EPOCHREALTIME/./} / 1000 )); } # wall clock in ms

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- 1. tools and the herald binary ----------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v hugo >/dev/null || need+=(hugo)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || need+=(nginx)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
	log "installing ${need[*]}"
	apt-get update -qq
	# No recommends: hugo recommends golang-any, an old Go that would shadow ours.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log "building herald into $WORK/herald"
(cd "$REPO" && go build -o "$WORK/herald" ./cmd/herald)
HERALD=$WORK/herald
DB=$WORK/bench.db

LOAD_START=$(loadavg)

# ---- 2. seed ----------------------------------------------------------------
log "seeding the demo province and $N synthetic articles"
rm -f "$DB" "$DB-wal" "$DB-shm"
SEED_START=$(ms_now)
timeout "$STEP_TIMEOUT" "$HERALD" demo --seed-only --articles "$N" --db "$DB" --log-level warn >"$WORK/seed.log" 2>&1 ||
	die "seeding: $(tail -3 "$WORK/seed.log")"
SEED_MS=$(($(ms_now) - SEED_START))
log "$(cat "$WORK/seed.log")"

# ---- 3. dynamic server --------------------------------------------------------
HPORT=$(free_port 18180)
HURL=http://127.0.0.1:$HPORT
"$HERALD" serve --db "$DB" --addr "127.0.0.1:$HPORT" --log-level warn >"$WORK/serve.log" 2>&1 &
HPID=$!
PIDS+=("$HPID")
wait_http "$HURL/" 120 "$HPID"
ARTICLE_ID=$(curl -fsS "$HURL/feed.json" | jq -r '.items[0].url // .items[0].id' | sed -n 's#.*/articles/\([0-9]*\)\.html$#\1#p')
[[ -n $ARTICLE_ID ]] || ARTICLE_ID=100
curl -fsS -o /dev/null "$HURL/articles/$ARTICLE_ID.html" || die "article $ARTICLE_ID does not answer"
log "herald serves $HURL (pid $HPID); the article page benchmarked is /articles/$ARTICLE_ID.html"

PAGES=("/" "/articles/$ARTICLE_ID.html")
declare -A RPS P50 P99 BAD BYTES

run_wrk() { # run_wrk SERVER BASEURL: wrk on each page; results into the arrays
	local server=$1 base=$2 page out
	for page in "${PAGES[@]}"; do
		curl -fsS -o /dev/null "$base$page" || die "$server $page does not answer"            # warm the cache
		BYTES[$server,$page]=$(curl -fsS -o /dev/null -w '%{size_download}' "$base$page")
		out=$WORK/wrk-$server-$(echo "$page" | tr '/.' '__').txt
		log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $base$page"
		timeout $(($(seconds "$DURATION") + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base$page" >"$out" 2>&1 ||
			die "wrk $server $page: $(tail -3 "$out")"
		RPS[$server,$page]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
		P50[$server,$page]=$(awk '$1 == "50%" {print $2}' "$out" | to_ms)
		P99[$server,$page]=$(awk '$1 == "99%" {print $2}' "$out" | to_ms)
		BAD[$server,$page]=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {for (i = 4; i <= NF; i += 2) n += $i} END {print n + 0}' "$out" | tr -d ,)
		log "  ${RPS[$server,$page]} req/s, p50 ${P50[$server,$page]} ms, p99 ${P99[$server,$page]} ms, ${BAD[$server,$page]} bad"
	done
}
seconds() { # a wrk duration (30, 30s, 2m, 1h) in seconds
	case $1 in
	*h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
	esac
}
to_ms() { # wrk latency (e.g. 812.00us, 3.26ms, 1.02s) to milliseconds
	awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000; printf "%.2f", v}'
}

run_wrk herald "$HURL"

# ---- 8a. Hugo input from the API (while the server runs) ---------------------
log "fetching the published articles through the API for Hugo"
TOKEN=$(curl -fsS -X POST "$HURL/api/v1/tokens" -d "{\"username\":\"wangyalan\",\"password\":\"$PASSWORD\"}" | jq -r .token)
[[ $TOKEN == hrd_* ]] || die "login as wangyalan failed"
auth=(-H "Authorization: Bearer $TOKEN")
HUGO=$WORK/hugo
rm -rf "$HUGO" "$WORK/hugo-public"
mkdir -p "$HUGO/content"
cp -r "$BENCH_DIR/hugo/hugo.toml" "$BENCH_DIR/hugo/layouts" "$HUGO/"
curl -fsS "${auth[@]}" "$HURL/api/v1/columns" >"$WORK/columns.json"
COLS=$(jq -c '[.items[] | {key: (.id | tostring), value: .slug}] | from_entries' "$WORK/columns.json")
jq -r '.items[] | "\u001eFILE \(.slug)/_index.md", ({title: .name} | tojson)' "$WORK/columns.json" |
	awk -v dir="$HUGO/content" '/^\036FILE / {if (f) close(f); f = dir "/" substr($0, 7); system("mkdir -p \"" dir "/" substr($2, 1, index($2, "/") - 1) "\""); next} {print > f}'
FETCH_START=$(ms_now)
fetched=0 total=-1 offset=0 requests=0
while ((total < 0 || offset < total)); do
	curl -fsS --max-time 120 "${auth[@]}" "$HURL/api/v1/articles?status=published&limit=500&offset=$offset" >"$WORK/page.json" ||
		die "GET /api/v1/articles?status=published&limit=500&offset=$offset failed"
	requests=$((requests + 1))
	total=$(jq .total "$WORK/page.json")
	n=$(jq '.items | length' "$WORK/page.json")
	((n > 0)) || break
	jq -r --argjson cols "$COLS" '.items[] |
		"\u001eFILE \($cols[.column_id | tostring] // "other")/\(.id).md",
		({title, date: .published_at, tags, summary, source} | tojson), "", .body' "$WORK/page.json" |
		awk -v dir="$HUGO/content" '/^\036FILE / {
			if (f) close(f)
			f = dir "/" substr($0, 7); d = f; sub(/\/[^\/]*$/, "", d)
			if (!(d in made)) { system("mkdir -p \"" d "\""); made[d] = 1 }
			next
		} {print > f}'
	fetched=$((fetched + n))
	offset=$((offset + n))
done
FETCH_MS=$(($(ms_now) - FETCH_START))
MD_FILES=$(find "$HUGO/content" -name '*.md' ! -name '_index.md' | wc -l)
log "fetched $fetched of $total articles in $requests requests, $FETCH_MS ms; $MD_FILES Markdown files"
((MD_FILES == total)) || log "WARNING: $MD_FILES Markdown files for $total published articles (offset paging while the list changes?)"
stop "$HPID"
grep -v '^$' "$WORK/serve.log" >"$WORK/serve-errors.log" || true

# ---- 4. full static export ---------------------------------------------------
log "exporting the site (herald export)"
rm -rf "$WORK/site"
EXPORT_LOAD=$(loadavg)
timeout "$STEP_TIMEOUT" /usr/bin/time -v -o "$WORK/export.time" \
	"$HERALD" export --db "$DB" --log-level warn "$WORK/site" >"$WORK/export.out" 2>"$WORK/export.err" ||
	die "herald export: $(tr '\r' '\n' <"$WORK/export.err" | grep -v '^exporting' | tail -3)"
EXPORT_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/export.time")
EXPORT_RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/export.time")
EXPORT_CPU=$(awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/export.time")
EXPORT_FILES=$(sed -n 's/^Exported \([0-9]*\) files.*/\1/p' "$WORK/export.out")
EXPORT_MB=$(sed -n 's/^Exported [0-9]* files (\([0-9.]*\) MB).*/\1/p' "$WORK/export.out")
EXPORT_PPS=$(sed -n 's/.*(\([0-9]*\) pages\/s)\.$/\1/p' "$WORK/export.out")
log "$(cat "$WORK/export.out") Wall $EXPORT_WALL, peak RSS $EXPORT_RSS MiB, CPU $EXPORT_CPU"
EXPORT_STDERR=$(tr '\r' '\n' <"$WORK/export.err" | grep -v '^exporting' | grep -v '^$' || true)

# ---- 5. nginx ----------------------------------------------------------------
NPORT=$(free_port 18280)
NDIR=$WORK/nginx
rm -rf "$NDIR"
mkdir -p "$NDIR"
user_line=""
[[ $EUID == 0 ]] && user_line="user root;"
sed -e "s#@USER_LINE@#$user_line#" -e "s#@NGINX_DIR@#$NDIR#g" -e "s#@PORT@#$NPORT#" -e "s#@ROOT@#$WORK/site#" \
	"$BENCH_DIR/nginx.conf.tmpl" >"$NDIR/nginx.conf"
"$NGINX" -t -p "$NDIR" -c "$NDIR/nginx.conf" >"$NDIR/test.log" 2>&1 || die "nginx -t: $(cat "$NDIR/test.log")"
"$NGINX" -p "$NDIR" -c "$NDIR/nginx.conf" >"$NDIR/stdout.log" 2>&1 &
NPID=$!
PIDS+=("$NPID")
NURL=http://127.0.0.1:$NPORT
wait_http "$NURL/" 30 "$NPID"
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') serves $WORK/site at $NURL (pid $NPID)"
run_wrk nginx "$NURL"
stop "$NPID"

# ---- 8b. Hugo build ----------------------------------------------------------
log "building the Hugo site ($MD_FILES articles)"
HUGO_LOAD=$(loadavg)
timeout "$STEP_TIMEOUT" /usr/bin/time -v -o "$WORK/hugo.time" \
	hugo --quiet -s "$HUGO" -d "$WORK/hugo-public" >"$WORK/hugo.out" 2>&1 || die "hugo: $(tail -5 "$WORK/hugo.out")"
HUGO_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/hugo.time")
HUGO_RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/hugo.time")
HUGO_CPU=$(awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/hugo.time")
HUGO_FILES=$(find "$WORK/hugo-public" -type f | wc -l)
HUGO_MB=$(du -sm "$WORK/hugo-public" | cut -f1)
log "hugo: wall $HUGO_WALL, peak RSS $HUGO_RSS MiB, CPU $HUGO_CPU, $HUGO_FILES files"

secs() { # m:ss.cc or h:mm:ss to seconds
	awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s}' <<<"$1"
}
EXPORT_S=$(secs "$EXPORT_WALL")
HUGO_S=$(secs "$HUGO_WALL")
HUGO_PPS=$(awk -v f="$HUGO_FILES" -v s="$HUGO_S" 'BEGIN {printf "%.0f", f / s}')

# ---- 7. incremental publication with --export-dir ---------------------------
LPORT=$(free_port 18380)
LURL=http://127.0.0.1:$LPORT
LIVE=$WORK/site-live
rm -rf "$LIVE"
log "starting herald serve --export-dir (it listens at once and exports the whole site in the background)"
LIVE_START=$(ms_now)
"$HERALD" serve --db "$DB" --addr "127.0.0.1:$LPORT" --export-dir "$LIVE" --log-format json --log-level info >"$WORK/serve-live.log" 2>&1 &
LPID=$!
PIDS+=("$LPID")
# Wait for its "listening" line, then for the start-up export to finish, so the
# publications below are timed on their own.
deadline=$((SECONDS + STEP_TIMEOUT))
until grep -q '"msg":"listening"' "$WORK/serve-live.log"; do
	kill -0 "$LPID" 2>/dev/null || die "herald serve --export-dir exited: $(tail -3 "$WORK/serve-live.log")"
	((SECONDS < deadline)) || die "herald serve --export-dir did not listen within $STEP_TIMEOUT s"
	sleep 0.2
done
wait_http "$LURL/" 30 "$LPID"
LIVE_READY_MS=$(($(ms_now) - LIVE_START))
until grep '"msg":"static export"' "$WORK/serve-live.log" | grep -q '"whole":true'; do
	kill -0 "$LPID" 2>/dev/null || die "herald serve --export-dir exited: $(tail -3 "$WORK/serve-live.log")"
	((SECONDS < deadline)) || die "herald serve --export-dir did not finish its start-up export within $STEP_TIMEOUT s"
	sleep 0.2
done
LIVE_EXPORT_MS=$(jq -r 'select(.msg == "static export" and .whole == true) | .duration_ms' "$WORK/serve-live.log" 2>/dev/null | head -1 || true)
TOKEN=$(curl -fsS -X POST "$LURL/api/v1/tokens" -d "{\"username\":\"wangyalan\",\"password\":\"$PASSWORD\"}" | jq -r .token)
auth=(-H "Authorization: Bearer $TOKEN")
PUB_ROWS=()
PUB_APPEAR=()
for sample in $(seq "$PUBLISH_SAMPLES"); do
	id=$(curl -fsS "${auth[@]}" "$LURL/api/v1/articles?status=approved&limit=1" | jq -r '.items[0].id // empty')
	[[ -n $id ]] || { log "no approved article left to publish after $((sample - 1)) samples"; break; }
	file=$LIVE/articles/$id.html
	[[ ! -e $file ]] || die "$file exists before article $id is published"
	before=$(grep -c '"static export"' "$WORK/serve-live.log" || true)
	t0=$(ms_now)
	status=$(curl -sS -o "$WORK/publish-$id.json" -w '%{http_code}' -X POST "${auth[@]}" "$LURL/api/v1/articles/$id/publish")
	t1=$(ms_now)
	[[ $status == 200 ]] || die "POST /api/v1/articles/$id/publish: HTTP $status $(cat "$WORK/publish-$id.json")"
	deadline=$((SECONDS + 30))
	until [[ -e $file ]]; do
		((SECONDS < deadline)) || die "$file did not appear within 30 s of the publication"
		sleep 0.002
	done
	t2=$(ms_now)
	# The watcher logs once it has written all the pages that changed.
	deadline=$((SECONDS + 30))
	until (($(grep -c '"static export"' "$WORK/serve-live.log" || true) > before)); do
		((SECONDS < deadline)) || die "no \"static export\" log line within 30 s of publishing $id"
		sleep 0.01
	done
	t3=$(ms_now)
	line=$(grep '"static export"' "$WORK/serve-live.log" | tail -1)
	dur=$(jq -r .duration_ms <<<"$line")
	pages=$(jq -r .pages <<<"$line")
	PUB_APPEAR+=($((t2 - t1)))
	PUB_ROWS+=("| $sample | $id | $((t1 - t0)) | $((t2 - t1)) | $((t3 - t1)) | $dur | $pages |")
	log "published $id: API $((t1 - t0)) ms; file after $((t2 - t1)) ms; export logged after $((t3 - t1)) ms (duration_ms $dur, $pages pages)"
done
stop "$LPID"
LIVE_ERRORS=$(jq -r 'select(.level == "ERROR" or .level == "WARN") | tojson' "$WORK/serve-live.log" 2>/dev/null || true)

LOAD_END=$(loadavg)

# ---- 9. results --------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
yes_no() { if [[ $1 == 1 ]]; then echo "**met**"; else echo "**not met**"; fi; }
art=/articles/$ARTICLE_ID.html
art_ratio=$(ratio "${RPS[herald,$art]}" "${RPS[nginx,$art]}")
goal1=$(awk -v r="$art_ratio" -v p="${P99[herald,$art]}" 'BEGIN {print (r >= 0.70 && p < 10) ? 1 : 0}')
goal2=$(awk -v e="$EXPORT_S" -v h="$HUGO_S" -v er="$EXPORT_RSS" -v hr="$HUGO_RSS" 'BEGIN {print (e < h && er < hr / 2) ? 1 : 0}')
max_appear=0
for v in "${PUB_APPEAR[@]}"; do
	if ((v > max_appear)); then max_appear=$v; fi
done
goal3=$(( ${#PUB_APPEAR[@]} > 0 && max_appear < 200 ? 1 : 0 ))

{
	echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'): N=$N, DURATION=$DURATION, wrk -t$THREADS -c$CONNECTIONS; $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo);"
	echo "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), hugo $(hugo version | awk '{print $2}'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), herald built from $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && [[ -n $(git status --porcelain 2>/dev/null) ]] && echo ' (with uncommitted changes)')."
	echo "Load average (1/5/15 min): $LOAD_START at the start, $EXPORT_LOAD before the export, $HUGO_LOAD before Hugo, $LOAD_END at the end."
	echo "Seeding took $((SEED_MS / 1000)).$(printf '%03d' $((SEED_MS % 1000))) s."
	echo
	echo "| page | herald req/s | herald p50 | herald p99 | nginx req/s | nginx p50 | nginx p99 | herald/nginx req/s | bytes herald / nginx |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for page in "${PAGES[@]}"; do
		echo "| \`$page\` | ${RPS[herald,$page]} | ${P50[herald,$page]} ms | ${P99[herald,$page]} ms | ${RPS[nginx,$page]} | ${P50[nginx,$page]} ms | ${P99[nginx,$page]} ms | $(ratio "${RPS[herald,$page]}" "${RPS[nginx,$page]}") | ${BYTES[herald,$page]} / ${BYTES[nginx,$page]} |"
	done
	bad=0
	for k in "${!BAD[@]}"; do bad=$((bad + BAD[$k])); done
	echo
	echo "Non-2xx responses and socket errors over all wrk runs: $bad."
	echo
	echo "| full build | wall | files | MB | files/s | peak RSS | CPU |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "| \`herald export\` | ${EXPORT_S} s | $EXPORT_FILES | $EXPORT_MB | $EXPORT_PPS | $EXPORT_RSS MiB | $EXPORT_CPU |"
	echo "| \`hugo --quiet\` (same articles, phone pages, related + hot lists, lists of 20) | ${HUGO_S} s | $HUGO_FILES | $HUGO_MB | $HUGO_PPS | $HUGO_RSS MiB | $HUGO_CPU |"
	echo "| \`herald serve --export-dir\` start-up export (in the server, logged) | $(awk -v m="${LIVE_EXPORT_MS:-0}" 'BEGIN {printf "%.2f", m / 1000}') s (listening after $(awk -v m="$LIVE_READY_MS" 'BEGIN {printf "%.1f", m / 1000}') s) | | | | | |"
	echo
	echo "Hugo input: $fetched articles fetched through \`GET /api/v1/articles?status=published&limit=500\` in $requests requests, $FETCH_MS ms."
	echo
	echo "| publication | article | publish API ms | file appeared after (ms) | \`static export\` logged after (ms) | logged duration_ms | pages re-rendered |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${PUB_ROWS[@]}"
	echo
	echo "| goal | measured | |"
	echo "| --- | --- | --- |"
	echo "| dynamic article page ≥ 70% of nginx's static req/s, p99 < 10 ms at $CONNECTIONS connections | $art_ratio of nginx, p99 ${P99[herald,$art]} ms | $(yes_no "$goal1") |"
	echo "| export faster than Hugo at under half its peak memory | $EXPORT_S s vs $HUGO_S s; $EXPORT_RSS MiB vs $HUGO_RSS MiB | $(yes_no "$goal2") |"
	echo "| incremental publish < 200 ms (publish response to file) | ${PUB_APPEAR[*]:-none} ms | $(yes_no "$goal3") |"
	if [[ -s $WORK/serve-errors.log || -n $EXPORT_STDERR || -n $LIVE_ERRORS ]]; then
		echo
		echo "Herald logged (serve at warn level, export, serve --export-dir at warn/error):"
		echo
		echo '```'
		head -20 "$WORK/serve-errors.log" 2>/dev/null || true
		[[ -z $EXPORT_STDERR ]] || head -20 <<<"$EXPORT_STDERR"
		[[ -z $LIVE_ERRORS ]] || head -20 <<<"$LIVE_ERRORS"
		echo '```'
	fi
} >"$WORK/results.md"
cat "$WORK/results.md"
log "results written to $WORK/results.md"
