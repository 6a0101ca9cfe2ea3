package dev.ferry.testing;

import dev.ferry.core.spi.JobStore;
import dev.ferry.core.spi.StoreException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a {@link JobStore} so that it works normally until it has recorded outcomes {@code n} times; from then on
 * every write throws a {@link StoreException} (as a full disk or a read-only directory would) before reaching
 * the wrapped store, while reads keep working. A dynamic proxy, so methods added to the SPI later are covered
 * (anything not known as a read counts as a write). Threadsafe as the wrapped store.
 */
public final class FailingJobStore {
  public static final String FAILURE = "cannot record outcomes: disk full (injected)";
  private static final Set<String> READS = Set.of("findJob", "listJobs", "chunks", "settledRows", "counts",
      "forEachProblem", "lookups", "close", "toString", "hashCode", "equals");

  private FailingJobStore() {}

  /** Handle to see whether the wrapped store has started failing. */
  public static final class Switch {
    private final int outcomeWritesBeforeFailure;
    private final AtomicInteger outcomeWrites = new AtomicInteger();

    Switch(int n) {
      this.outcomeWritesBeforeFailure = n;
    }

    public boolean failing() {
      return outcomeWrites.get() >= outcomeWritesBeforeFailure;
    }
  }

  public static JobStore wrap(JobStore delegate, Switch sw) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          boolean write = !READS.contains(method.getName());
          if (write && sw.failing()) throw new StoreException(FAILURE);
          try {
            Object result = method.invoke(delegate, args);
            if (method.getName().equals("recordOutcomes")) sw.outcomeWrites.incrementAndGet();
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  public static Switch failAfterOutcomeWrites(int n) {
    return new Switch(n);
  }
}
