/**
 * Writes the customers overview's summary (shared/db/customer-summary.ts) of
 * every customer that has none or an incomplete one (no `counted` marker: the
 * customers created before the summary existed, or before the marker did) from
 * their profile, session and device rows. Idempotent and safe while the service
 * runs (see `rebuildSummary`); run it once after deploying:
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npx tsx scripts/backfill-customer-summaries.ts
 *
 * `--recount` recomputes the device counts of every customer as well (a check:
 * device deltas are exactly-once, so nothing should drift). Customers are taken from the customer list (gsi1
 * `CUSTOMERS`), a few at a time.
 */
import { listCustomerIds } from '../shared/db/customers';
import { rebuildSummary, type RebuildOutcome } from '../shared/db/customer-summary';

const PARALLEL = 8;
const ATTEMPTS = 5;

async function main() {
  const recount = process.argv.includes('--recount');
  const ids = await listCustomerIds();
  const outcomes: Record<RebuildOutcome, number> = { written: 0, kept: 0, raced: 0, 'no-customer': 0 };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      let outcome: RebuildOutcome = 'raced';
      // A device changed while its rows were counted: count again.
      for (let attempt = 0; attempt < ATTEMPTS && outcome === 'raced'; attempt++) outcome = await rebuildSummary(ids[i]!, { recount });
      outcomes[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  console.log(`${ids.length} customers: ${JSON.stringify(outcomes)}`);
  if (outcomes.raced > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('backfill failed:', error);
  process.exit(1);
});
