#!/usr/bin/env bash
# Runs every check: lint, typecheck and all test suites, the Docker and bubblewrap ones against the real
# services, which tools/services.sh installs and starts when missing, and the registry suite (vitest project
# `registry`, tools/registry): every public package published to a Verdaccio it starts on 127.0.0.1 (a
# devDependency; third-party packages proxied from the npm registry, so it needs that registry reachable), then
# installed and run from there as a user would. Ends with "N passed, N failed, N skipped".
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
source tools/bootstrap.sh
bash tools/services.sh
echo "[test] lint"
pnpm exec biome check .
echo "[test] typecheck"
pnpm exec nx run-many -t typecheck --outputStyle=static
echo "[test] vitest"
report="$(mktemp -t evalchemy-vitest.XXXXXX.json)"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const slowest = r.testResults
    .map((file) => ({ name: require("path").relative(process.cwd(), file.name), seconds: (file.endTime - file.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 12);
  console.log("slowest test files (s):");
  for (const file of slowest) console.log(`  ${file.seconds.toFixed(1).padStart(7)}  ${file.name}`);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit "$status"
