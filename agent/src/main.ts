#!/usr/bin/env node
// hashinsight-agent: the technician's command (run, status, doctor, scan, enroll, print-config); see cli/.
import { processIo, runCli } from './cli/index.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
// Output is flushed by exiting naturally; should a stray handle outlive the command, leave anyway (unref'd).
setTimeout(() => process.exit(), 5000).unref();
