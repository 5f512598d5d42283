#!/usr/bin/env node
// Placeholder until the service lands (issue 6): says what is coming.
process.stdout.write("quoteflow: the service is being built; `npm test` runs the operator specs.\n");
