/**
 * Loaded with `--file` by `npm run test:cli:postgres` (STREAMPRO_TEST_STORE=postgres): the CLI suites run with
 * their state on PostgreSQL, skipped with one line when no server is reachable (failing with CI=true).
 */
import { requirePostgres } from '../../packages/engine/test/support/postgres.js';

before(async function () {
  await requirePostgres(this);
});
