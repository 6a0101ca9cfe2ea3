package dev.ferry.core.exec;

import java.util.concurrent.Semaphore;

/** A fixed number of permits (a non-fair semaphore). Threadsafe. */
final class FixedAdmission implements Admission {
  private final int permits;
  private final Semaphore semaphore;

  FixedAdmission(int permits) {
    if (permits < 1) throw new IllegalArgumentException("permits must be >= 1, was " + permits);
    this.permits = permits;
    this.semaphore = new Semaphore(permits);
  }

  @Override
  public void acquire() throws InterruptedException {
    semaphore.acquire();
  }

  @Override
  public boolean tryAcquire() {
    return semaphore.tryAcquire();
  }

  @Override
  public void release() {
    semaphore.release();
  }

  @Override
  public int limit() {
    return permits;
  }

  @Override
  public String toString() {
    return "Admission.fixed(" + permits + ")";
  }
}
