#!/usr/bin/env bash
# Accessibility and HTML audit of a running PolicyHub: axe-core, Lighthouse, the Nu HTML checker,
# plus screenshots at 1280 px and 390 px. See tests/a11y/README.md for how to set it up.
#   tests/a11y/audit.sh [BASE_URL] [OUT_DIR]      (defaults: http://127.0.0.1:8041, /tmp/policyhub-audit)
# Exits non-zero if axe finds a serious/critical violation, a Lighthouse score is under 95, or
# the Nu checker reports an error.
set -uo pipefail
cd "$(dirname "$0")/../.."
BASE="${1:-http://127.0.0.1:8041}"
OUT="${2:-/tmp/policyhub-audit}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
--disable-background-networking --disable-component-update --disable-sync"
status=0
mkdir -p "$OUT/lighthouse"

echo "== axe-core (and HTML as served, screenshots)"
node tests/a11y/pages.mjs "$BASE" "$OUT" || status=1

echo "== Lighthouse (accessibility, best-practices, seo; minimum 95)"
for page in home:/ list:/notices/ detail-seed:/notices/15/ detail-law:/notices/3/ detail-citing:/notices/44/ \
  "search:/notices/?q=%E5%8C%BA%E5%9F%9F%E5%8D%8F%E8%B0%83"; do
  name="${page%%:*}"
  url="$BASE${page#*:}"
  profile="$(mktemp -d)"
  npx --no-install lighthouse "$url" --quiet --output=json --output-path="$OUT/lighthouse/$name.json" \
    --only-categories=accessibility,best-practices,seo \
    --chrome-flags="$CHROME_FLAGS --user-data-dir=$profile" >/dev/null 2>"$OUT/lighthouse/$name.log"
  rm -rf "$profile"
  node -e '
    const r = require(process.argv[1]);
    const s = Object.values(r.categories).map((c) => `${c.id} ${Math.round(c.score * 100)}`);
    const low = Object.values(r.categories).some((c) => c.score < 0.95);
    const failed = Object.values(r.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
      .map((a) => a.id);
    console.log(`${process.argv[2]}: ${s.join(", ")}${failed.length ? "  (failed: " + failed.join(", ") + ")" : ""}`);
    process.exit(low ? 1 : 0);
  ' "$OUT/lighthouse/$name.json" "$name" || status=1
done

echo "== Nu HTML checker (errors only)"
if java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only "$OUT"/html/*.html; then
  echo "no errors"
else
  status=1
fi
echo "screenshots: $OUT/shots/"
exit $status
