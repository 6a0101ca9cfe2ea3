package dev.ferry.sim;

import java.time.Duration;

/**
 * What the simulator will do to one API call, decided at its arrival: its delay and at most one
 * injected fault. Immutable.
 *
 * @param fault the injected fault, {@link Fault#NONE} for a normal answer
 * @param errorStatus 500, 502 or 503 when {@code fault == ERROR}, else 0
 * @param slow whether {@code slowLatency} is part of {@code delay}
 * @param delay how long to wait before answering (latency ± jitter, plus the slow extra)
 */
record RequestPlan(Fault fault, int errorStatus, boolean slow, Duration delay) {

  /** Injected faults; at most one per call, with precedence HANG > DROP > ERROR. */
  enum Fault {
    /** Answer normally. */
    NONE,
    /** Answer 500/502/503 without touching state. */
    ERROR,
    /** Sleep {@code hangDuration}, then answer 504 without touching state. */
    HANG,
    /** Close the connection without an answer, without touching state. */
    DROP
  }
}
