package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The hint about a target that shows no limit under {@code limits: auto} names the way each front has to say "no
 * limit": {@code ferry serve} and {@code bench --spec} have no {@code --rate-limit} (serve's hint named it).
 */
class NoLimitAdviceTest {

  @Test
  void aServiceOrABenchIsToldTheTargetsKeyOnly() {
    // When: the advice of a front without --rate-limit (ferry serve, bench --spec)
    String advice = TargetLimiters.noLimitAdvice("embeddings", false);

    // Then: the spec's key of that target, and no flag the command does not have
    assertThat(advice).isEqualTo("'limits: none' on targets.embeddings in the spec").doesNotContain("--rate-limit");
  }

  @Test
  void aRunIsToldTheKeyAndItsFlag() {
    assertThat(TargetLimiters.noLimitAdvice("crm", true))
        .isEqualTo("'limits: none' on targets.crm in the spec (or --rate-limit none, for a spec of one target)");
  }

  @Test
  void theStepsOfAServiceDoNotNameTheFlagUnlessTheFrontSaysSo() {
    // the builder's default is what ferry serve (dev.ferry.service.Service) and bench --spec get
    assertThat(JobSteps.builder(java.util.List.of(), java.util.List.of()).rateLimitFlag).isFalse();
    assertThat(JobSteps.builder(java.util.List.of(), java.util.List.of()).rateLimitFlag(true).rateLimitFlag).isTrue();
  }
}
