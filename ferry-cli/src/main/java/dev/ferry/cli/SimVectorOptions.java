package dev.ferry.cli;

import dev.ferry.sim.EmbeddingsSettings;
import dev.ferry.sim.PointsSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry sim}'s options for the OpenAI-compatible embeddings endpoint and the Qdrant-compatible points API.
 * Keys come from environment variables named by {@code --embeddings-key-env} and {@code --qdrant-key-env}, never
 * from a flag's value. Not threadsafe (picocli fills it once, before the command runs).
 */
final class SimVectorOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--embeddings-rpm", defaultValue = "none", converter = CountConverter.class, paramLabel = "N",
      description = "Embeddings requests per minute; none = unlimited (default: ${DEFAULT-VALUE})")
  long rpm;

  @Option(names = "--embeddings-tpm", defaultValue = "none", converter = CountConverter.class, paramLabel = "N",
      description = "Embeddings tokens per minute (ceil(UTF-8 bytes / 4) an input); none = unlimited (default: ${DEFAULT-VALUE})")
  long tpm;

  @Option(names = "--embeddings-window", defaultValue = "1m", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "Fixed window the RPM and TPM are counted in, up to 1m; a shorter one"
          + " admits RPM and TPM scaled to it (default: ${DEFAULT-VALUE})")
  Duration window;

  @Option(names = "--embeddings-max-inputs", defaultValue = "2048", paramLabel = "N",
      description = "Inputs allowed in one embeddings request (default: ${DEFAULT-VALUE})")
  int maxInputs;

  @Option(names = "--embeddings-max-tokens", defaultValue = "300000", paramLabel = "N",
      description = "Tokens allowed in one embeddings request (default: ${DEFAULT-VALUE})")
  long maxRequestTokens;

  @Option(names = "--embeddings-context", defaultValue = "8191", paramLabel = "TOKENS",
      description = "The model's context: a longer input fails its whole request with 400 (default: ${DEFAULT-VALUE})")
  long context;

  @Option(names = "--embeddings-dimensions", defaultValue = "16", paramLabel = "N",
      description = "Vector length when a request gives no dimensions (default: ${DEFAULT-VALUE})")
  int dimensions;

  @Option(names = "--embeddings-quota", defaultValue = "none", converter = CountConverter.class, paramLabel = "TOKENS",
      description = "Tokens the account may embed; then every request answers 429 insufficient_quota"
          + " (0 = out of credit from the start; default: ${DEFAULT-VALUE})")
  long quota;

  @Option(names = "--embeddings-key-env", paramLabel = "VAR",
      description = "Accept only the embeddings key held by this environment variable (default: any bearer key)")
  String embeddingsKeyEnv;

  @Option(names = "--qdrant-key-env", paramLabel = "VAR",
      description = "Require the api-key held by this environment variable on the Qdrant routes (default: none)")
  String qdrantKeyEnv;

  @Option(names = "--no-auto-create-collections",
      description = "Answer 404 to an upsert into a collection not made with PUT /collections/{c}, as Qdrant does")
  boolean noAutoCreate;

  /**
   * @param env reads an environment variable (null when unset)
   * @throws IllegalArgumentException naming the bad setting
   * @throws CommandLine.ParameterException for an unset key variable
   */
  EmbeddingsSettings embeddings(UnaryOperator<String> env) {
    return EmbeddingsSettings.builder()
        .requestsPerMinute(rpm == CountConverter.NONE ? 0 : rpm)
        .tokensPerMinute(tpm == CountConverter.NONE ? 0 : tpm)
        .window(window)
        .maxInputs(maxInputs)
        .maxRequestTokens(maxRequestTokens)
        .contextTokens(context)
        .dimensions(dimensions)
        .quotaTokens(quota == CountConverter.NONE ? EmbeddingsSettings.UNLIMITED_QUOTA : quota)
        .requiredKey(key("--embeddings-key-env", embeddingsKeyEnv, env))
        .build();
  }

  /** @throws CommandLine.ParameterException for an unset key variable */
  PointsSettings points(UnaryOperator<String> env) {
    return new PointsSettings(key("--qdrant-key-env", qdrantKeyEnv, env), !noAutoCreate);
  }

  private String key(String option, String variable, UnaryOperator<String> env) {
    if (variable == null) return null;
    String key = env.apply(variable);
    if (key == null || key.isBlank()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + ": environment variable " + variable + " is not set or empty");
    }
    return key;
  }

  /** A count ≥ 0, or {@code none} ({@link #NONE}). */
  static final class CountConverter implements CommandLine.ITypeConverter<Long> {
    static final long NONE = -1;

    @Override
    public Long convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT).replace("_", "");
      if (text.equals("none") || text.equals("unlimited")) return NONE;
      try {
        long n = Long.parseLong(text);
        if (n >= 0) return n;
      } catch (NumberFormatException e) {
        // falls through to the error
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a count (a whole number >= 0, or none)");
    }
  }
}
