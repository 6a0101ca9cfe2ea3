package dev.ferry.http;

import dev.ferry.core.time.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The idle connections to one target, at most {@code maxIdle}, the most recently used first; a connection idle for
 * longer than {@code maxIdleNanos} is closed instead of handed out. No thread of its own: expired connections are
 * closed when the pool is next used, and all of them by {@link #close()}. Threadsafe.
 */
final class ConnectionPool {
  /*
   * Concurrency: one ReentrantLock (no virtual-thread pinning) guards `idle` and `closed`; nothing blocks while it
   * is held (sockets are closed after it is released). Invariants:
   *  - a connection is either in `idle` or held by exactly one thread: poll removes it under the lock before
   *    handing it out, so no two requests ever share a connection;
   *  - `idle` is ordered by idleSince, newest first (offer adds at the head with the current time, and the ticker
   *    is monotonic), so if the head has expired every connection has, and expired ones are found at the tail;
   *  - idleSince is written by the offering thread before the lock is taken and read only under it, so the
   *    lock's release/acquire publishes it;
   *  - once `closed` is set, `idle` stays empty: offer closes what it is given, so no connection outlives the
   *    pool for longer than the request holding it.
   */
  private final ReentrantLock lock = new ReentrantLock();
  /** @GuardedBy("lock") */
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  /** @GuardedBy("lock") */
  private boolean closed;
  private final int maxIdle;
  private final long maxIdleNanos;
  private final Ticker ticker;

  ConnectionPool(int maxIdle, long maxIdleNanos, Ticker ticker) {
    if (maxIdle < 0) throw new IllegalArgumentException("maxIdle must be >= 0");
    if (maxIdleNanos <= 0) throw new IllegalArgumentException("maxIdleNanos must be > 0");
    this.maxIdle = maxIdle;
    this.maxIdleNanos = maxIdleNanos;
    this.ticker = ticker;
  }

  /** The most recently used idle connection that has not expired, or null; the caller now holds it. */
  Http1Connection poll() {
    long now = ticker.read();
    List<Http1Connection> expired = null;
    Http1Connection found;
    lock.lock();
    try {
      found = idle.pollFirst();
      if (found != null && now - found.idleSince() > maxIdleNanos) {
        expired = new ArrayList<>(idle.size() + 1);
        expired.add(found);
        expired.addAll(idle);
        idle.clear();
        found = null;
      }
    } finally {
      lock.unlock();
    }
    closeAll(expired);
    return found;
  }

  /** Takes back a connection after a complete answer; closes it when the pool is full or closed. */
  void offer(Http1Connection c) {
    long now = ticker.read();
    c.idleSince(now);
    List<Http1Connection> toClose = null;
    lock.lock();
    try {
      if (closed || idle.size() >= maxIdle) {
        toClose = List.of(c);
      } else {
        idle.addFirst(c);
        while (now - idle.peekLast().idleSince() > maxIdleNanos) {
          if (toClose == null) toClose = new ArrayList<>();
          toClose.add(idle.pollLast());
        }
      }
    } finally {
      lock.unlock();
    }
    closeAll(toClose);
  }

  int idleCount() {
    lock.lock();
    try {
      return idle.size();
    } finally {
      lock.unlock();
    }
  }

  /** Closes every idle connection; connections held now are closed when they come back. */
  void close() {
    List<Http1Connection> all;
    lock.lock();
    try {
      closed = true;
      all = new ArrayList<>(idle);
      idle.clear();
    } finally {
      lock.unlock();
    }
    closeAll(all);
  }

  private static void closeAll(List<Http1Connection> connections) {
    if (connections != null) connections.forEach(Http1Connection::close);
  }
}
