/** Whether a promise has settled, read without awaiting it (for tests of what is answered when). */
export function watch<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { status: 'pending' };
  promise.then(
    (value) => Object.assign(state, { status: 'resolved', value }),
    (error: unknown) => Object.assign(state, { status: 'rejected', error }),
  );
  return state;
}

/** Lets a writer's setImmediate turns, its fdatasync and the promise chains after them run. */
export async function turns(ms = 50): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
}
