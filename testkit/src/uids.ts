/**
 * A range of `size` uids at a random place in 200000-9999999, for a test supervisor's
 * agents: tests on one machine run side by side, and a supervisor sweeps every process of
 * a uid before handing it out again, so two tests sharing the default range kill each
 * other's agents.
 */
export function randomUidRange(size = 64): { first: number; last: number } {
  const first = 200_000 + size * Math.floor(Math.random() * Math.floor(9_800_000 / size));
  return { first, last: first + size - 1 };
}
