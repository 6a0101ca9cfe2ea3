package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** LongPause in virtual time: a long pause is said once, with how long and until when; a short one never. */
class LongPauseTest {
  private final FakeTicker time = new FakeTicker();
  private final List<String> said = new CopyOnWriteArrayList<>();
  private final LongPause pause = new LongPause("api", time, () -> 0L, said::add);

  @Test
  void anHourLongRetryAfterIsSaidOnceWithItsEnd() {
    // Given a 429 with Retry-After: 3600, then the 15 other requests in flight refused during the same pause
    pause.tell(429, Duration.ofHours(1).toNanos(), true);
    for (int i = 0; i < 15; i++) {
      time.advance(Duration.ofMillis(20));
      pause.tell(429, Duration.ofHours(1).toNanos(), true);
    }
    // Then one line says it, naming the wait, its end and that the cap was reached
    assertThat(said).containsExactly("api answered HTTP 429 with Retry-After: every request to it waits 60 min (the"
        + " most ferry honours: an hour), until 01:00:00 UTC; the job goes on by itself then (Ctrl-C stops it, and"
        + " 'ferry resume' continues it later)");
  }

  @Test
  void pausesOfTheEverydayPacingAreNotSaid() {
    pause.tell(429, Duration.ofSeconds(29).toNanos(), true);
    pause.tell(429, Duration.ofSeconds(2).toNanos(), false);
    assertThat(said).isEmpty();
  }

  @Test
  void aNewLongPauseAfterTheLastEndedIsSaidAgain() {
    pause.tell(503, Duration.ofSeconds(90).toNanos(), true);
    time.advance(Duration.ofSeconds(91));
    pause.tell(503, Duration.ofSeconds(90).toNanos(), true);
    assertThat(said).hasSize(2);
    assertThat(said.get(1)).startsWith("api answered HTTP 503 with Retry-After: every request to it waits 90 s, until");
  }
}
