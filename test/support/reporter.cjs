const Mocha = require('mocha')
// Mocha's spec reporter, plus the plain closing line CI reads: "N passed, N failed[, N skipped]".
// With MFA_CREDS_TEST_TALLY set, the counts are also appended to that file ("passes failures
// pending"), so that .ci/run can add up `npm test` and `npm run stress` in its own closing line.
const fs = require('node:fs')

const {Spec} = Mocha.reporters
const {EVENT_RUN_END} = Mocha.Runner.constants

class Reporter extends Spec {
  constructor(runner, options) {
    super(runner, options)
    runner.once(EVENT_RUN_END, () => {
      const {failures, passes, pending} = runner.stats
      process.stdout.write(`\n${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`)
      if (process.env.MFA_CREDS_TEST_TALLY) fs.appendFileSync(process.env.MFA_CREDS_TEST_TALLY, `${passes} ${failures} ${pending}\n`)
    })
  }
}

module.exports = Reporter
