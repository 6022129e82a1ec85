/**
 * Prints one plain closing line, `tests: N passed, M failed`, after Jest's own summary, so that any
 * tool reading the end of the log sees the outcome in a common form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${failed} failed\n`);
  }
}
module.exports = SummaryReporter;
