package dev.ferry.bench;

/** What stops more workers from going faster. */
public enum Bottleneck {
  /** The target's rate limit: 429 answers, or requests within a few % of the configured limit. */
  RATE_LIMIT("rate limit"),
  /** One resource serves requests one at a time: throughput flat while latency grows (a shared lock). */
  SERIAL_SECTION("serialised section"),
  /** The target answers more slowly as concurrency grows, with no 429s; throughput still rises, sublinearly. */
  DOWNSTREAM_LATENCY("downstream latency"),
  /** The process keeps (nearly) every core busy. */
  CPU("CPU"),
  /** The heap is nearly full after collections, or collections take much of the time. */
  MEMORY("memory"),
  /** Near-linear scaling up to the largest rung: nothing limits yet. */
  NONE("none"),
  /** No rung's window was long enough to judge ({@link Rung#judged}): the sample is too small. */
  NOT_JUDGED("not judged"),
  /** Sublinear scaling that none of the measurements explains. */
  UNEXPLAINED("unexplained");

  private final String label;

  Bottleneck(String label) {
    this.label = label;
  }

  /** Short human name ("rate limit"). */
  public String label() {
    return label;
  }
}
