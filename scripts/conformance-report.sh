#!/usr/bin/env bash
# Runs the SIG-Multicluster conformance specs re-created in Tests/MCSConformanceTests on a local
# fleet and prints docs/conformance.md's table from the results (Swift Testing's xUnit report).
#   scripts/conformance-report.sh              # print the table
#   scripts/conformance-report.sh --write      # also rewrite docs/conformance.md's table
set -euo pipefail
cd "$(dirname "$0")/.."
report="$(mktemp -d)/conformance.xml"
swift build --build-tests >/dev/null
status=0
swift test --skip-build --filter MCSConformanceTests --xunit-output "$report" >/dev/null 2>&1 || status=$?
python3 - "${report%.xml}-swift-testing.xml" "${1:-}" <<'PY'
import glob, re, sys, xml.etree.ElementTree as ET
report, mode = sys.argv[1], sys.argv[2]
# The report names tests by function; the sources say which spec each function mirrors.
specs = {}
for path in glob.glob("Tests/MCSConformanceTests/*.swift"):
    for number, title, function in re.findall(r'@Test\("(\d+): ([^"]+)"[^\n]*\n\s*func (\w+)\(', open(path).read()):
        specs[function + "()"] = (int(number), title)
cases = {}
for case in ET.parse(report).getroot().iter("testcase"):
    if case.get("name") not in specs:
        continue
    number, title = specs[case.get("name")]
    failed = case.find("failure") is not None or case.find("error") is not None
    skipped = case.find("skipped") is not None
    title = title.replace("<", "&lt;").replace(">", "&gt;")
    cases[number] = (title, "skipped" if skipped else "fail" if failed else "pass", case.get("time", ""))
required = {1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
lines = ["| # | spec | level | result | seconds |", "|---|---|---|---|---|"]
for number in range(1, 28):
    title, result, seconds = cases.get(number, ("(not in the suite)", "missing", ""))
    level = "Required" if number in required else "Optional"
    seconds = f"{float(seconds):.1f}" if seconds else ""
    lines.append(f"| {number} | {title} | {level} | {result} | {seconds} |")
passed = sum(1 for _, result, _ in cases.values() if result == "pass")
lines.append("")
lines.append(f"{passed} of 27 specs pass.")
table = "\n".join(lines)
print(table)
if mode == "--write":
    path = "docs/conformance.md"
    text = open(path).read()
    start, end = "<!-- table -->", "<!-- /table -->"
    text = text[: text.index(start) + len(start)] + "\n" + table + "\n" + text[text.index(end):]
    open(path, "w").write(text)
PY
exit $status
