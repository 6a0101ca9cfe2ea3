package dev.ferry.bench;

import java.util.Objects;

/**
 * The named bottleneck and the one sentence, with the numbers that show it. Immutable.
 *
 * @param bottleneck what limits scaling
 * @param fromWorkers the smallest worker count at which it shows; 0 when it does not apply
 * @param sentence   one sentence for the user
 */
public record Verdict(Bottleneck bottleneck, int fromWorkers, String sentence) {
  public Verdict {
    Objects.requireNonNull(bottleneck, "bottleneck cannot be null");
    Objects.requireNonNull(sentence, "sentence cannot be null");
  }
}
