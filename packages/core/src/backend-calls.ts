/**
 * Small pieces every HTTP backend needs around its SDK's calls: the backoff between its own retries, and a
 * per-call abort signal.
 */

/** The wait before retry `attempt + 1` (0-based): 0.5 s doubling up to 8 s, less up to 25 % jitter. */
export function backoffDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

/**
 * Calls `send` with a signal of its own that follows `signal`. SDKs add an abort listener to the signal they are
 * given and do not always remove it; handing them the run's long-lived signal would pile up one listener per
 * request on it (and make each later `addEventListener` slower).
 */
export async function callWithOwnSignal<T>(
  signal: AbortSignal,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  try {
    return await send(controller.signal);
  } finally {
    signal.removeEventListener('abort', forward);
  }
}
