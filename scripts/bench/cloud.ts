// `npm run bench -- cloud`: the cloud's figures for the README's Performance table.
// 1. Ingest throughput (scripts/bench/cloud/ingest.ts), on SQLite and, when DATABASE_URL is set, PostgreSQL.
// 2. Fleet API latency (scripts/bench/cloud/api.ts) with 10,000 miners stored, on the same databases.
import { runApiBench } from './cloud/api.ts';
import { runIngestBench } from './cloud/ingest.ts';

await runIngestBench();
console.log();
await runApiBench();
