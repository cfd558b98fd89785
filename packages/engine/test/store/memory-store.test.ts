import { MemoryRunStore } from '@streampro/engine';
import { runStoreContract } from './run-store.contract.js';

runStoreContract('MemoryRunStore', async () => {
  const store = new MemoryRunStore();
  return { store, cleanup: () => store.close() };
});
