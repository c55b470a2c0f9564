/**
 * Small React hooks shared by the screens: the hash route, a ticking clock
 * for relative times, async loading with an error message, and the live
 * fleet snapshot.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { describeError } from "../api/errors.js";
import type { FleetSnapshot } from "../api/fleet-store.js";
import { useApp } from "./context.js";

function currentHash(): string {
  return window.location.hash.replace(/^#/, "") || "/";
}

/** The path after `#`, e.g. "/agents/0190…", updating on navigation. */
export function useHashPath(): string {
  const [path, setPath] = useState(currentHash);
  useEffect(() => {
    const onChange = () => setPath(currentHash());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return path;
}

/** Navigates to a hash path. */
export function navigate(path: string): void {
  window.location.hash = path;
}

/** Now, refreshed every `everyMs` so "3 min ago" stays true. */
export function useNow(everyMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** An async load's state. */
export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` when `deps` change (and on `reload()`); keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{
    data: T | undefined;
    error: string | undefined;
    loading: boolean;
  }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` reads
  useEffect(() => {
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (!cancelled) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, error: describeError(error), loading: false }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The live fleet snapshot. */
export function useFleet(): FleetSnapshot {
  const { store } = useApp();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
