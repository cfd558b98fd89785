/** URLs of the pages, in one place (ids are encoded: run ids contain `:` and `+`). */
const e = encodeURIComponent;

export const dagsUrl = (): string => '/';
export const gridUrl = (dagId: string): string => `/dags/${e(dagId)}/grid`;
export const durationsUrl = (dagId: string): string => `/dags/${e(dagId)}/durations`;
export const runUrl = (dagId: string, runId: string): string => `/dags/${e(dagId)}/runs/${e(runId)}`;
export const graphUrl = (dagId: string, runId: string): string => `${runUrl(dagId, runId)}/graph`;
export const taskUrl = (dagId: string, runId: string, taskId: string): string =>
  `${runUrl(dagId, runId)}/tasks/${e(taskId)}`;
