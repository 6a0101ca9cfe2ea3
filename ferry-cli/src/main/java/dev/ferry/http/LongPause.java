package dev.ferry.http;

import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once per pause, that a target's refusal paused every request to it for {@link #AT_LEAST} or more (a
 * {@code Retry-After: 3600}): without it the progress line shows 0 rows/s and no reason for up to an hour. The
 * refusals that come back while the pause lasts (every request in flight gets one) end no later than it, and are not
 * said again.
 *
 * <p>Threadsafe: the end of the last pause said is swapped by compare-and-set, so one caller says it.
 */
final class LongPause {
  /** Pauses shorter than this are the everyday pacing of a rate limit, shown by the progress line's 429 count. */
  static final long AT_LEAST = Duration.ofSeconds(30).toNanos();
  private static final Logger log = LoggerFactory.getLogger(LongPause.class);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private final String target;
  private final Ticker ticker;
  private final WallClock wallClock;
  private final Consumer<String> sink;
  /** Ticker reading at which the last pause said ends; MIN_VALUE before any. */
  private final AtomicLong saidUntil = new AtomicLong(Long.MIN_VALUE);

  LongPause(String target, Ticker ticker, WallClock wallClock) {
    this(target, ticker, wallClock, log::warn);
  }

  LongPause(String target, Ticker ticker, WallClock wallClock, Consumer<String> sink) {
    this.target = Objects.requireNonNull(target, "target");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** What the messages call the target (a spec's target name, or {@code host:port}). */
  String target() {
    return target;
  }

  /**
   * @param status     the refusal's HTTP status
   * @param pauseNanos the pause every request to the target now waits
   * @param retryAfter true when the pause is the answer's Retry-After (else ferry's own backoff)
   */
  void tell(int status, long pauseNanos, boolean retryAfter) {
    if (pauseNanos < AT_LEAST) return;
    long now = ticker.read();
    long until = now + pauseNanos;
    long said = saidUntil.get();
    if (said != Long.MIN_VALUE && said - now > 0 && until - said < AT_LEAST) return; // this pause was said
    if (!saidUntil.compareAndSet(said, until)) return;
    long seconds = Duration.ofNanos(pauseNanos).toSeconds();
    String capped = retryAfter && pauseNanos >= RateLimitHeaders.MAX_WAIT_NANOS
        ? " (the most ferry honours: an hour)" : "";
    sink.accept(String.format("%s answered HTTP %d%s: every request to it waits %s%s, until %s; the job goes on by"
        + " itself then (Ctrl-C stops it, and 'ferry resume' continues it later)", target, status,
        retryAfter ? " with Retry-After" : "", human(seconds), capped,
        CLOCK.format(Instant.ofEpochMilli(wallClock.millis() + pauseNanos / 1_000_000))));
  }

  private static String human(long seconds) {
    if (seconds < 120) return seconds + " s";
    if (seconds < 7200) return (seconds / 60) + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
    return (seconds / 3600) + " h " + (seconds % 3600) / 60 + " min";
  }
}
