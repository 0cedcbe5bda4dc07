// Adds up the per-package vitest JSON reports into the one closing line CI reads: "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.test-results';
const total = { passed: 0, failed: 0, skipped: 0 };
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const reports = files.map((file) => ({ file, report: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));

/** A test file that failed without a failed test in it: it did not load. */
function isBroken(r) {
  return r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed');
}

// CI keeps only the tail of the output, so each failure is repeated here, next to the totals.
for (const { file, report } of reports) {
  for (const r of report.testResults ?? []) {
    const failed = (r.assertionResults ?? []).filter((a) => a.status === 'failed');
    const where = `${path.basename(file, '.json')}: ${path.relative(process.cwd(), r.name)}`;
    if (isBroken(r)) console.log(`FAILED ${where}: ${firstLines(r.message)}`);
    for (const a of failed) console.log(`FAILED ${where} › ${a.fullName}\n  ${firstLines((a.failureMessages ?? []).join('\n'))}`);
  }
}

function firstLines(text = '', n = 8) {
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, n).join('\n  ');
}

for (const { file, report } of reports) {
  // A test file that fails to load has no failed test in it, but it is a failure all the same.
  const brokenFiles = (report.testResults ?? []).filter(isBroken).length;
  const row = {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
  for (const k of Object.keys(total)) total[k] += row[k];
  console.log(`${path.basename(file, '.json').padEnd(12)} ${String(row.passed).padStart(4)} passed ${String(row.failed).padStart(3)} failed ${String(row.skipped).padStart(3)} skipped`);
}
if (files.length === 0) {
  console.error('no test reports were written');
  total.failed = 1;
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
