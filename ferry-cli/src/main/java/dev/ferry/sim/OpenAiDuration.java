package dev.ferry.sim;

/**
 * Durations as OpenAI writes them in {@code x-ratelimit-reset-*} and "Please try again in ...": Go's notation at
 * millisecond resolution, rounded up ({@code 0s}, {@code 12ms}, {@code 1.2s}, {@code 6m0s}, {@code 1h0m0s}), so a
 * client that waits that long is not early. Stateless.
 */
final class OpenAiDuration {
  private OpenAiDuration() {}

  static String format(long nanos) {
    long millis = Math.ceilDiv(Math.max(0, nanos), 1_000_000L);
    if (millis == 0) return "0s";
    if (millis < 1000) return millis + "ms";
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long secondsMillis = millis % 60_000;
    StringBuilder sb = new StringBuilder();
    if (hours > 0) sb.append(hours).append('h');
    if (hours > 0 || minutes > 0) sb.append(minutes).append('m');
    sb.append(secondsMillis / 1000);
    long fraction = secondsMillis % 1000;
    if (fraction > 0) {
      String digits = String.format("%03d", fraction).replaceAll("0+$", "");
      sb.append('.').append(digits);
    }
    return sb.append('s').toString();
  }
}
