package dev.ferry.spec;

import java.util.Objects;

/**
 * A service spec, loaded and checked ({@code ferry serve}): the steps as a job spec holds them (its source null) and
 * how deliveries come in. Immutable; holds resolved secrets in memory only.
 */
public record ServiceSpec(JobSpec job, ServeConfig serve) {
  public ServiceSpec {
    Objects.requireNonNull(job, "job cannot be null");
    Objects.requireNonNull(serve, "serve cannot be null");
  }
}
