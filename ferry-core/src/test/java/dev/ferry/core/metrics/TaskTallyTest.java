package dev.ferry.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The recording implementation of the task events that a live pool's snapshot is built from. */
class TaskTallyTest {

  @Test
  void itCountsSubmitsOutcomesQueueWaitsAndTheExecutorsTasksInFlight() {
    // Given
    TaskTally tally = new TaskTally();
    // When a pool reports three submits, one rejected, two queue waits, and its executor one task ended of two
    for (int i = 0; i < 3; i++) tally.taskSubmitted("p");
    tally.taskSettled("p", TaskOutcome.REJECTED);
    tally.taskSettled("p", TaskOutcome.COMPLETED);
    tally.recordQueueWaitNanos("p", 40);
    tally.recordQueueWaitNanos("p", 10);
    tally.taskAdmitted("p", 0);
    tally.taskAdmitted("p", 40);
    tally.taskEnded("p", 25);
    // Then
    assertThat(tally.submitted()).isEqualTo(3);
    assertThat(tally.settled(TaskOutcome.REJECTED)).isEqualTo(1);
    assertThat(tally.settled(TaskOutcome.COMPLETED)).isEqualTo(1);
    assertThat(tally.settled(TaskOutcome.TIMED_OUT)).isZero();
    assertThat(tally.queueWaitNanos()).isEqualTo(50);
    assertThat(tally.queueWaitMaxNanos()).isEqualTo(40);
    assertThat(tally.inFlight()).isEqualTo(1);
    assertThat(tally.runNanos()).isEqualTo(25);
  }
}
