/**
 * A child process for the segment test: writes `count` lines of a long message for try `taskId` through the
 * engine's LogRouter into the segment given on argv, then exits.
 */
import { SecretMasker } from '@streampro/engine';
import { LogRouter } from '@streampro/engine/internal';

const [file, taskId, countText] = process.argv.slice(2);
const router = new LogRouter('', 'debug');
const log = router.openTryLog(
  { dagId: 'd', runId: 'r', taskId: taskId!, tryNumber: 1 },
  new SecretMasker(),
  file,
);
await log.ready;
const padding = 'x'.repeat(3_000);
for (let i = 0; i < Number(countText); i++) log.logger.info(`line ${i}`, { padding });
log.close();
router.close();
