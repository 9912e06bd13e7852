import { setMaxListeners } from 'node:events';

/**
 * One signal that aborts when any of `signals` does, with the reason of the first. `dispose`
 * removes its listeners: long-lived signals (an account's or an adapter's lifetime) are linked
 * to every request, and must not keep one listener per request ever made.
 */
export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): {
  readonly signal: AbortSignal | undefined;
  dispose(): void;
} {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length === 0) return { signal: undefined, dispose: () => {} };
  if (present.length === 1) return { signal: present[0], dispose: () => {} };
  const controller = new AbortController();
  const aborted = present.find((signal) => signal.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const listeners = present.map((signal) => {
    const listener = () => controller.abort(signal.reason);
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const remove of listeners) remove();
    },
  };
}

/** A controller for an owner's lifetime: any number of requests may listen to its signal. */
export function lifetimeController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
