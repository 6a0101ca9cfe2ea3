package dev.ferry.cli;

/** ferry's exit codes (README, docs/GUARANTEES.md, docs/CLI.md), in one place. */
public final class ExitCodes {
  /** Every row done. */
  public static final int OK = 0;
  /** Finished, with failed or invalid rows. */
  public static final int ROWS_FAILED = 1;
  /** Usage or input error. */
  public static final int USAGE = 2;
  /** Stopped (auth failure, failure run, interrupted): resumable. */
  public static final int STOPPED = 3;
  /** A bug: an unexpected exception. */
  public static final int INTERNAL = 4;

  private ExitCodes() {}
}
