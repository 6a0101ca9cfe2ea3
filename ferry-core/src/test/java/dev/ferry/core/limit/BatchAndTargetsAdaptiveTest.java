package dev.ferry.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The adaptive limit with batch calls and several targets, in virtual time ({@link VirtualPipeline}): an answer of N
 * rows is N samples ({@link Limit#onSample(long, long, int, boolean, int)}), and each target of a
 * {@link ConcurrencyLimiter#perSource} limiter learns from its own answers, the limit being their sum.
 */
class BatchAndTargetsAdaptiveTest {
  private static final long S = VirtualPipeline.S;
  private static final VirtualPipeline.Target EMBED_50 = new VirtualPipeline.Target("embed", 8 * S, 50);
  private static final VirtualPipeline.Target EMBED_ALONE = new VirtualPipeline.Target("embed", 8 * S, 1);

  private static ConcurrencyLimiter gradient() {
    return ConcurrencyLimiter.of(Limit.gradientBuilder().build());
  }

  private static ConcurrencyLimiter gradientPerTarget() {
    return ConcurrencyLimiter.perSource(() -> Limit.gradientBuilder().build(), 1000);
  }

  @Test
  void batchesOfFiftyAtEightSecondsReach256InEightAnswersWhereOneSampleACallNeededFortyTwo() {
    // Given: an endless backlog sent to an 8 s target in calls of at most 50 rows, the limit starting at 16
    VirtualPipeline counted = new VirtualPipeline(gradient(), List.of(EMBED_50), true, false);
    VirtualPipeline once = new VirtualPipeline(gradient(), List.of(EMBED_50), false, false);
    VirtualPipeline alone = new VirtualPipeline(gradient(), List.of(EMBED_ALONE), true, false);
    // When each runs until its limit reaches 256
    int countedSeconds = counted.run(600 * S, 256).size() - 1;
    int onceSeconds = once.run(600 * S, 256).size() - 1;
    int aloneSeconds = alone.run(600 * S, 256).size() - 1;
    // Then: counted per row, 8 answers in 40 virtual seconds (a doubling a round), as fast as a call per row (256
    // answers); one sample a call (before) needed 42 answers and 232 s (ten answers a window)
    assertThat(counted.answers).isEqualTo(8);
    assertThat(countedSeconds).isEqualTo(40);
    assertThat(aloneSeconds).isEqualTo(countedSeconds);
    assertThat(alone.answers).isEqualTo(256);
    assertThat(once.answers).isEqualTo(42);
    assertThat(onceSeconds).isEqualTo(232);
  }

  @Test
  void anAnswerOfTenRowsMovesTheGradientAsTenAnswersOfOneDo() {
    // Given: two gradients, fed the same rounds of 8 s answers with 16 in flight
    GradientLimit weighed = Limit.gradientBuilder().build();
    GradientLimit single = Limit.gradientBuilder().build();
    for (long round = 0; round < 6; round++) {
      long start = round * 8 * S;
      // When one gets one answer of 10 rows a round and the other ten answers of one row
      weighed.onSample(start, 8 * S, 16, false, 10);
      for (int i = 0; i < 10; i++) single.onSample(start, 8 * S, 16, false);
      // Then their limits agree at every round
      assertThat(weighed.limit()).isEqualTo(single.limit());
    }
    assertThat(weighed.limit()).isEqualTo(64);
    assertThat(weighed.baselineNanos()).isEqualTo(single.baselineNanos());
  }

  @Test
  void aDroppedBatchIsOneDropWhateverItCarried() {
    // Given: a gradient at 16
    GradientLimit limit = Limit.gradientBuilder().build();
    // When a call of 50 rows is refused
    limit.onSample(0, S, 16, true, 50);
    // Then the limit is cut once (× 0.8)
    assertThat(limit.limit()).isEqualTo(12);
  }

  @Test
  void aSlowBatchedTargetAndAFastOneEachLearnFromTheirOwnAnswers() {
    // Given: rows through an 8 s embeddings target (calls of 50, 400 rows at once, then queueing) and a 5 ms upsert
    List<VirtualPipeline.Target> rag = List.of(new VirtualPipeline.Target("embed", 8 * S, 50, 400),
        new VirtualPipeline.Target("upsert", 5_000_000L, 1));
    ConcurrencyLimiter perTarget = gradientPerTarget();
    VirtualPipeline own = new VirtualPipeline(perTarget, rag, true, true);
    VirtualPipeline mixedRows = new VirtualPipeline(gradient(), rag, true, false);
    VirtualPipeline before = new VirtualPipeline(gradient(), rag, false, false);
    // When each runs 300 virtual seconds
    List<Integer> ownLimit = own.run(300 * S, Integer.MAX_VALUE);
    List<Integer> mixedLimit = mixedRows.run(300 * S, Integer.MAX_VALUE);
    List<Integer> beforeLimit = before.run(300 * S, Integer.MAX_VALUE);
    // Then: with a gradient per target the limit holds the embeddings target busy (at least its 400 rows) for the
    // last 200 s, without flooding it (the upserts' limit, unused, lends it no slack: at most 700 in flight), and
    // nearly 50 rows/s are done (13,338 of the 15,000 the target could do at best); one gradient fed both targets'
    // answers reads the upserts' 5 ms as its no-load latency and falls far below (10,081 rows; 4,955 before an
    // answer counted its rows)
    assertThat(Collections.min(ownLimit.subList(100, 301))).isGreaterThanOrEqualTo(400);
    assertThat(Collections.max(ownLimit.subList(100, 301))).isLessThanOrEqualTo(700);
    assertThat(Collections.min(mixedLimit.subList(100, 301))).isLessThan(200);
    assertThat(Collections.min(beforeLimit.subList(100, 301))).isLessThan(100);
    assertThat(own.done).isEqualTo(13_338);
    assertThat(mixedRows.done).isEqualTo(10_081);
    assertThat(before.done).isEqualTo(4_955);
    assertThat(perTarget.describe()).contains("embed GradientLimit").contains("upsert GradientLimit");
  }
}
