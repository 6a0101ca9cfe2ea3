package dev.ferry.cli;

import dev.ferry.core.limit.RateLimitSpec;
import java.util.Locale;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Reads the value of a client's rate-limit option ({@code --rate-limit}, bench's {@code --client-rate-limit}). A zero
 * limit is refused: a new user reads {@code 0} as "send nothing", not as "no limit" (a spec's {@code requests: 0} is
 * an error too), so no limit is said with {@code none}. As picocli parameter consumers, so that the refusal is the
 * one line "--rate-limit 0: ..." rather than a conversion error. picocli leaves an option read by a consumer out of
 * the parse result's matched options: ask {@link #given} instead. Stateless, threadsafe.
 */
final class RateLimitOption {
  private RateLimitOption() {}

  /** An option holding a {@link RateLimitSpec}: {@code auto}, {@code none}, a rate or a budget per window. */
  static final class Limit implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec command) {
      String flag = flagOf(argSpec);
      argSpec.setValue(parse(command, flag, valueOf(args, command, flag)));
    }
  }

  /** An option holding requests per second as a {@link Double} ({@code none} as 0): a rate, not auto or a budget. */
  static final class Rate implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec command) {
      String flag = flagOf(argSpec);
      String text = valueOf(args, command, flag);
      RateLimitSpec limit = parse(command, flag, text);
      if (limit.isAuto() || limit.isBudget()) {
        throw new ParameterException(command.commandLine(), "Invalid value for option '" + flag + "': '" + text + "'"
            + (limit.isAuto() ? ": this option takes a rate" : " is a budget per window; this option takes a rate")
            + " (a number of requests per second, or 'none')");
      }
      argSpec.setValue(limit.perSecond());
    }
  }

  /**
   * Parses {@code auto}, {@code none}, {@code 50}, {@code 12.5/s} or {@code 500/10s}.
   *
   * @throws ParameterException (exit 2) for a zero limit, naming the flag and {@code none}, or for nonsense
   */
  static RateLimitSpec parse(CommandSpec command, String flag, String text) {
    RateLimitSpec limit;
    try {
      limit = RateLimitSpec.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + flag + "': " + e.getMessage());
    }
    if (limit.equals(RateLimitSpec.NONE) && !isNoneWord(text)) {
      throw new ParameterException(command.commandLine(), flag + " " + text.strip()
          + ": a limit of zero would send nothing; use " + flag + " none for no limit");
    }
    return limit;
  }

  /** Whether {@code flag} is one of these options and was given (its value is null until then). */
  static boolean given(CommandSpec command, String flag) {
    OptionSpec o = command.findOption(flag);
    return o != null && o.parameterConsumer() != null && o.getValue() != null;
  }

  private static String valueOf(Stack<String> args, CommandSpec command, String flag) {
    if (args.isEmpty()) throw new ParameterException(command.commandLine(), "Missing required parameter for option '"
        + flag + "'");
    return args.pop();
  }

  private static String flagOf(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec o)) throw new IllegalStateException("not an option: " + argSpec);
    return o.longestName();
  }

  private static boolean isNoneWord(String text) {
    String v = text.strip().toLowerCase(Locale.ROOT);
    return v.equals("none") || v.equals("off") || v.equals("unlimited");
  }
}
