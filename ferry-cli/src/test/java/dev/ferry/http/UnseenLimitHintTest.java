package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.Quota;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UnseenLimitHintTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private final List<String> said = new ArrayList<>();
  private final UnseenLimitHint hint = new UnseenLimitHint("api.example.com", "--rate-limit none", () -> 123.4,
      said::add);

  /** An attempt sent at {@code second}, answered 200 ms later; {@code waited} when it waited for its permit. */
  private static AttemptListener.Attempt ok(double second, boolean waited) {
    long sent = (long) (second * S);
    return new AttemptListener.Attempt("POST", waited ? sent - 1_000_000 : sent, sent, sent + S / 5, 201, -1);
  }

  @Test
  void saysOnceThatNoLimitWasSeenWhileThePaceHeldRowsBack() {
    for (int i = 0; i < 148; i++) hint.onAttempt(ok(i * 0.1, true)); // answered by 14.9 s: not yet
    assertThat(said).isEmpty();
    hint.onAttempt(ok(15.0, true));
    hint.onAttempt(ok(16.0, true));
    assertThat(said).singleElement().asString()
        .contains("api.example.com", "no rate limit in 15 s", "now 123 requests/s", "--rate-limit none");
  }

  @Test
  void saysNothingWhenThePaceHeldNothingBack() {
    for (int i = 0; i < 300; i++) hint.onAttempt(ok(i * 0.1, false));
    assertThat(said).isEmpty();
  }

  @Test
  void saysNothingAboutATargetThatRefusedOnce() {
    hint.onAttempt(ok(0, true));
    long sent = 2 * S;
    hint.onAttempt(new AttemptListener.Attempt("POST", sent, sent, sent + S / 5, 429, S));
    for (int i = 0; i < 300; i++) hint.onAttempt(ok(3 + i * 0.1, true));
    assertThat(said).isEmpty();
  }

  @Test
  void saysNothingAboutATargetThatSendsRateLimitHeaders() {
    long sent = S;
    Quota quota = new Quota(100, 99, S, -1);
    hint.onAttempt(new AttemptListener.Attempt("POST", sent - 1, sent, sent + S / 5, 201, -1,
        ResponseClass.of(201, false), quota, 0));
    for (int i = 0; i < 300; i++) hint.onAttempt(ok(2 + i * 0.1, true));
    assertThat(said).isEmpty();
  }
}
