package dev.ferry.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations such as {@code 200ms}, {@code 1.5s}, {@code 2m}, {@code 250us}. A number without a unit is refused
 * (but {@code 0}, which means the same in every unit), as a spec's durations are: {@code --request-timeout 5} read as
 * 5 ms timed every request out, where the user meant 5 s.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|µs|ms|s|m|h)?");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** @throws CommandLine.TypeConversionException with a one-line message on bad input */
  public static Duration parse(String value) {
    Matcher m = FORMAT.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (examples: 200ms, 1.5s, 2m)");
    }
    double amount = Double.parseDouble(m.group(1));
    if (m.group(2) == null && amount != 0) {
      throw new CommandLine.TypeConversionException("'" + value + "' has no unit: write " + m.group(1) + "s or "
          + m.group(1) + "ms (examples: 200ms, 1.5s, 2m)");
    }
    String unit = m.group(2) == null ? "ms" : m.group(2);
    double nanos = switch (unit) {
      case "us", "µs" -> amount * 1e3;
      case "ms" -> amount * 1e6;
      case "s" -> amount * 1e9;
      case "m" -> amount * 60e9;
      case "h" -> amount * 3600e9;
      default -> throw new IllegalStateException(unit);
    };
    return Duration.ofNanos(Math.round(nanos));
  }
}
