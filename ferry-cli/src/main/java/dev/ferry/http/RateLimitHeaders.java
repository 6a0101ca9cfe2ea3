package dev.ferry.http;

import dev.ferry.core.limit.Quota;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the rate-limit headers of an answer, in each convention found in the wild (docs/ARCHITECTURE.md,
 * "Learning the limit"), into a {@link Quota} for requests. One parser per convention, tried in this order:
 * <ol>
 *   <li>the IETF draft's structured fields: {@code RateLimit-Policy: "p";q=100;w=10} and
 *       {@code RateLimit: "p";r=42;t=7} (several policies: the one with the least left);</li>
 *   <li>OpenAI's {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 *       {@code x-ratelimit-reset-requests} with resets as durations ({@code 1s}, {@code 6m0s}, {@code 12ms});</li>
 *   <li>the IETF draft's older {@code RateLimit-Limit} (optionally {@code 100, 100;w=10}),
 *       {@code RateLimit-Remaining}, {@code RateLimit-Reset} (delta seconds);</li>
 *   <li>{@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset} (epoch seconds as
 *       GitHub sends them; a small number is read as delta seconds, a 13-digit one as epoch milliseconds).</li>
 * </ol>
 * Also {@code Retry-After} in both of its forms (seconds or an HTTP date), and a 429 body's "try again in 1.2s".
 *
 * <p>Pure functions of the headers and {@code now} (epoch milliseconds, for the epoch and date forms). Headers
 * are given as names (lower case) and values alternating, as {@link Transport.Reply#rateHeaders()} holds them;
 * unreadable values are ignored, never an error. Stateless and threadsafe.
 */
public final class RateLimitHeaders {
  /** Longest Retry-After or reset honoured: a server saying "come back tomorrow" does not stall a job for a day. */
  static final long MAX_WAIT_NANOS = 3_600_000_000_000L;

  private RateLimitHeaders() {}

  /** True when a header name is one this class reads (transports keep only those). */
  public static boolean wanted(String lowerCaseName) {
    return lowerCaseName.startsWith("ratelimit") || lowerCaseName.startsWith("x-ratelimit");
  }

  /** The quota for requests that the headers state, in the first convention that fits; empty when none. */
  public static Optional<Quota> requests(List<String> headers, long nowEpochMillis) {
    if (headers.isEmpty()) return Optional.empty();
    Optional<Quota> q = ietfStructured(headers);
    if (q.isEmpty()) q = openAi(headers);
    if (q.isEmpty()) q = ietfOlder(headers);
    if (q.isEmpty()) q = xRateLimit(headers, nowEpochMillis);
    return q;
  }

  /**
   * The quota for tokens that OpenAI's headers state ({@code x-ratelimit-limit-tokens},
   * {@code x-ratelimit-remaining-tokens}, {@code x-ratelimit-reset-tokens}); empty when the answer has none. By that
   * convention the limit is per minute (TPM), so the window is one minute.
   */
  public static Optional<Quota> tokens(List<String> headers) {
    if (headers.isEmpty()) return Optional.empty();
    long remaining = leadingLong(value(headers, "x-ratelimit-remaining-tokens"));
    if (remaining < 0) return Optional.empty();
    long limit = leadingLong(value(headers, "x-ratelimit-limit-tokens"));
    long reset = durationNanos(value(headers, "x-ratelimit-reset-tokens"));
    return Optional.of(new Quota(limit > 0 ? limit : -1, remaining, reset, OPENAI_WINDOW_NANOS));
  }

  /** OpenAI's limits are per minute (RPM, TPM). */
  static final long OPENAI_WINDOW_NANOS = 60_000_000_000L;

  /**
   * True when a header says a quota is spent (any {@code remaining} of 0, tokens included): a 403 carrying it is
   * a rate limit, not missing rights (GitHub answers so).
   */
  public static boolean exhausted(List<String> headers) {
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      String name = headers.get(i);
      String value = headers.get(i + 1).trim();
      if (name.equals("ratelimit")) {
        for (String item : value.split(",")) {
          if (param(item, "r") == 0) return true;
        }
      } else if (name.contains("remaining") && leadingLong(value) == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code Retry-After} as a wait: delta seconds, or an HTTP date (RFC 9110: {@code Sun, 06 Nov 1994 08:49:37
   * GMT}) taken relative to {@code nowEpochMillis}; a date in the past is a wait of 0. At most an hour. Empty when
   * absent or unreadable.
   */
  public static OptionalLong retryAfterNanos(String header, long nowEpochMillis) {
    if (header == null || header.isBlank()) return OptionalLong.empty();
    String v = header.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (!(seconds >= 0)) return OptionalLong.empty();
      return OptionalLong.of(Math.min((long) (seconds * 1e9), MAX_WAIT_NANOS));
    } catch (NumberFormatException e) {
      // an HTTP date, perhaps
    }
    try {
      long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return OptionalLong.of(Math.min(Math.max(0, at - nowEpochMillis) * 1_000_000L, MAX_WAIT_NANOS));
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The wait a 429's body states when the answer has no {@code Retry-After}: OpenAI's (and compatible servers')
   * "Please try again in 1.2s." ({@code 20ms}, {@code 6m0s}: {@link #durationNanos}). At most an hour; empty when the
   * body says no such thing. Only the first 64 KB of the body are searched.
   */
  public static OptionalLong retryAfterInBody(String body) {
    if (body == null || body.isEmpty()) return OptionalLong.empty();
    String text = body.length() > 65_536 ? body.substring(0, 65_536) : body;
    int at = text.toLowerCase(Locale.ROOT).indexOf(TRY_AGAIN_IN);
    if (at < 0) return OptionalLong.empty();
    int start = at + TRY_AGAIN_IN.length();
    int end = start;
    while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '.')) end++;
    String token = text.substring(start, end);
    while (token.endsWith(".")) token = token.substring(0, token.length() - 1);
    if (token.chars().noneMatch(Character::isLetter)) { // "2 seconds": the unit is the next word
      int w = end;
      while (w < text.length() && text.charAt(w) == ' ') w++;
      int we = w;
      while (we < text.length() && Character.isLetter(text.charAt(we))) we++;
      String unit = switch (text.substring(w, we).toLowerCase(Locale.ROOT)) {
        case "s", "sec", "secs", "second", "seconds" -> "s";
        case "ms", "millisecond", "milliseconds" -> "ms";
        case "min", "mins", "minute", "minutes" -> "m";
        default -> null;
      };
      if (unit == null) return OptionalLong.empty();
      token += unit;
    }
    long nanos = durationNanos(token);
    return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(nanos);
  }

  private static final String TRY_AGAIN_IN = "try again in ";

  // ---- the IETF draft, structured fields: RateLimit-Policy: "p";q=100;w=10 / RateLimit: "p";r=42;t=7

  static Optional<Quota> ietfStructured(List<String> headers) {
    String now = value(headers, "ratelimit");
    if (now == null) return Optional.empty();
    String policies = value(headers, "ratelimit-policy");
    Quota best = null;
    for (String item : now.split(",")) {
      long r = param(item, "r");
      if (r < 0) continue;
      long t = param(item, "t");
      long q = -1;
      long w = -1;
      if (policies != null) {
        String name = itemName(item);
        for (String policy : policies.split(",")) {
          if (itemName(policy).equals(name)) {
            q = param(policy, "q");
            w = param(policy, "w");
          }
        }
      }
      Quota quota = new Quota(q > 0 ? q : -1, r, t < 0 ? -1 : Math.min(t * 1_000_000_000L, MAX_WAIT_NANOS),
          w > 0 ? w * 1_000_000_000L : -1);
      if (best == null || quota.remaining() < best.remaining()) best = quota;
    }
    return Optional.ofNullable(best);
  }

  // ---- OpenAI: x-ratelimit-{limit,remaining,reset}-requests, resets as durations

  static Optional<Quota> openAi(List<String> headers) {
    long remaining = leadingLong(value(headers, "x-ratelimit-remaining-requests"));
    if (remaining < 0) return Optional.empty();
    long limit = leadingLong(value(headers, "x-ratelimit-limit-requests"));
    long reset = durationNanos(value(headers, "x-ratelimit-reset-requests"));
    return Optional.of(new Quota(limit > 0 ? limit : -1, remaining, reset, -1));
  }

  /** {@code 1s}, {@code 6m0s}, {@code 12ms}, {@code 1h2m3.5s}, {@code 0.5s}; a bare number is seconds. -1 if bad. */
  static long durationNanos(String text) {
    if (text == null || text.isBlank()) return -1;
    String v = text.trim().toLowerCase(Locale.ROOT);
    double total = 0;
    int i = 0;
    boolean any = false;
    while (i < v.length()) {
      int start = i;
      while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) i++;
      if (start == i) return -1;
      double n;
      try {
        n = Double.parseDouble(v.substring(start, i));
      } catch (NumberFormatException e) {
        return -1;
      }
      int unitStart = i;
      while (i < v.length() && Character.isLetter(v.charAt(i))) i++;
      double unit = switch (v.substring(unitStart, i)) {
        case "", "s" -> 1e9;
        case "ms" -> 1e6;
        case "us", "µs" -> 1e3;
        case "ns" -> 1;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> -1;
      };
      if (unit < 0) return -1;
      total += n * unit;
      any = true;
    }
    return any ? (long) Math.min(total, MAX_WAIT_NANOS) : -1;
  }

  // ---- the IETF draft's older fields: RateLimit-Limit / -Remaining / -Reset (delta seconds)

  static Optional<Quota> ietfOlder(List<String> headers) {
    long remaining = leadingLong(value(headers, "ratelimit-remaining"));
    if (remaining < 0) return Optional.empty();
    String limitText = value(headers, "ratelimit-limit");
    long limit = leadingLong(limitText);
    long window = limitText == null ? -1 : param(limitText, "w");
    long reset = leadingLong(value(headers, "ratelimit-reset"));
    return Optional.of(new Quota(limit > 0 ? limit : -1, remaining,
        reset < 0 ? -1 : Math.min(reset * 1_000_000_000L, MAX_WAIT_NANOS), window > 0 ? window * 1_000_000_000L : -1));
  }

  // ---- X-RateLimit-Limit / -Remaining / -Reset (epoch seconds)

  static Optional<Quota> xRateLimit(List<String> headers, long nowEpochMillis) {
    long remaining = leadingLong(value(headers, "x-ratelimit-remaining"));
    if (remaining < 0) return Optional.empty();
    long limit = leadingLong(value(headers, "x-ratelimit-limit"));
    long reset = leadingLong(value(headers, "x-ratelimit-reset"));
    long resetNanos;
    if (reset < 0) {
      resetNanos = -1;
    } else if (reset >= 100_000_000_000L) { // epoch milliseconds
      resetNanos = Math.max(0, reset - nowEpochMillis) * 1_000_000L;
    } else if (reset >= 1_000_000_000L) { // epoch seconds
      resetNanos = Math.max(0, reset * 1000 - nowEpochMillis) * 1_000_000L;
    } else { // delta seconds
      resetNanos = reset * 1_000_000_000L;
    }
    return Optional.of(new Quota(limit > 0 ? limit : -1, remaining, Math.min(resetNanos, MAX_WAIT_NANOS), -1));
  }

  // ---- helpers

  private static String value(List<String> headers, String name) {
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      if (headers.get(i).equals(name)) return headers.get(i + 1);
    }
    return null;
  }

  /** The whole number a value starts with ({@code 100} of {@code 100, 100;w=10}); -1 when none. */
  static long leadingLong(String value) {
    if (value == null) return -1;
    String v = value.trim();
    int end = 0;
    while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
    if (end == 0 || end > 18) return -1;
    return Long.parseLong(v, 0, end, 10);
  }

  /** The name of a structured-field item: {@code "p"} or {@code p} before its parameters. */
  private static String itemName(String item) {
    String v = item.trim();
    int semi = v.indexOf(';');
    String name = (semi < 0 ? v : v.substring(0, semi)).trim();
    return name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"") ? name.substring(1, name.length() - 1)
        : name;
  }

  /** A whole-number parameter {@code ;key=123} of an item; -1 when absent or not a number. */
  static long param(String item, String key) {
    for (String part : item.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(key)) {
        return leadingLong(part.substring(eq + 1));
      }
    }
    return -1;
  }
}
