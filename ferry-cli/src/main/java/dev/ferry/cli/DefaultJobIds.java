package dev.ferry.cli;

import dev.ferry.core.spi.JobStore;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Predicate;

/**
 * The id of a job started without {@code --job-id}: {@code PREFIX-yyyyMMdd-HHmmss}, and {@code -2}, {@code -3}, ...
 * after it when a job of that id exists or is being planned, so that two jobs started in the same second never share
 * one (the second was refused, or took the first one's plan for a crashed one). Stateless.
 */
final class DefaultJobIds {
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private DefaultJobIds() {}

  /** The first id free in {@code store} (and, embedded, not locked by another process planning it). */
  static String next(String prefix, StateDir state, JobStore store) {
    return next(prefix, LocalDateTime.now(), id -> store.findJob(id).isPresent()
        || !state.distributed() && state.jobRunningElsewhere(id));
  }

  static String next(String prefix, LocalDateTime now, Predicate<String> taken) {
    String base = prefix + "-" + now.format(SECOND);
    String id = base;
    for (int n = 2; taken.test(id); n++) id = base + "-" + n;
    return id;
  }
}
