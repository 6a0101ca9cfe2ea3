package dev.ferry.recipes.workos;

import java.util.concurrent.atomic.LongAdder;

/** What the import did in this run, for the report. Threadsafe (lock-free adders). */
public final class ImportStats {
  final LongAdder usersCreated = new LongAdder();
  final LongAdder usersExisting = new LongAdder();
  final LongAdder usersDeleted = new LongAdder();
  final LongAdder orgsCreated = new LongAdder();
  final LongAdder orgsExisting = new LongAdder();
  final LongAdder membershipsCreated = new LongAdder();
  final LongAdder membershipsExisting = new LongAdder();

  public long usersCreated() {
    return usersCreated.sum();
  }

  public long usersExisting() {
    return usersExisting.sum();
  }

  public long usersDeleted() {
    return usersDeleted.sum();
  }

  public long orgsCreated() {
    return orgsCreated.sum();
  }

  public long orgsExisting() {
    return orgsExisting.sum();
  }

  public long membershipsCreated() {
    return membershipsCreated.sum();
  }

  public long membershipsExisting() {
    return membershipsExisting.sum();
  }
}
