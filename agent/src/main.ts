#!/usr/bin/env node
// hashinsight-agent: the technician's command (run, status, doctor, scan, enroll, print-config); see cli/.
import { processIo, runCli } from './cli/index.js';

// `hashinsight-agent status | head` closes the pipe early: stop quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
process.exitCode = await runCli(process.argv.slice(2), processIo());
// Output is flushed by exiting naturally; should a stray handle outlive the command, leave anyway (unref'd).
setTimeout(() => process.exit(), 5000).unref();
