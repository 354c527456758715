// The candles of one topic (mint + interval) as the page holds them, keyed by bucket time. Every source (the
// subscription's history, live pushes, REST pages when scrolling back or refilling after a reconnect) merges in
// here, and a state only replaces a newer one never: the same rule the server applies before it sends one.

/** True when `incoming` is not older than `current` (same bucket): final wins, then the higher update_count. */
export function isNewerOrSame(incoming, current) {
  if (current.is_final && !incoming.is_final) {
    return false;
  }
  if (incoming.is_final && !current.is_final) {
    return true;
  }
  return (incoming.update_count ?? 0) >= (current.update_count ?? 0);
}

export class CandleSet {
  #byTime = new Map();
  #sorted = null;

  get size() {
    return this.#byTime.size;
  }

  clear() {
    this.#byTime.clear();
    this.#sorted = null;
  }

  /** Merges one candle; returns true when the set changed. */
  put(candle) {
    const current = this.#byTime.get(candle.time);
    if (current && !isNewerOrSame(candle, current)) {
      return false;
    }
    if (!current) {
      this.#sorted = null;
    } else if (this.#sorted) {
      const index = this.#indexOf(candle.time);
      this.#sorted[index] = candle;
    }
    this.#byTime.set(candle.time, candle);
    return true;
  }

  putAll(candles) {
    let changed = false;
    for (const candle of candles) {
      changed = this.put(candle) || changed;
    }
    return changed;
  }

  /** Oldest first. */
  list() {
    if (!this.#sorted) {
      this.#sorted = [...this.#byTime.values()].sort((a, b) => a.time - b.time);
    }
    return this.#sorted;
  }

  oldest() {
    const list = this.list();
    return list.length > 0 ? list[0] : undefined;
  }

  newest() {
    const list = this.list();
    return list.length > 0 ? list[list.length - 1] : undefined;
  }

  /**
   * Where a refill after a reconnect has to start: the oldest candle that was still open (it may have changed or
   * closed while we were away), else the newest one.
   */
  resumeTime() {
    const open = this.list().find((candle) => !candle.is_final);
    return open ? open.time : this.newest()?.time;
  }

  #indexOf(time) {
    const list = this.#sorted;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (list[middle].time < time) {
        low = middle + 1;
      } else if (list[middle].time > time) {
        high = middle - 1;
      } else {
        return middle;
      }
    }
    return -1;
  }
}
