package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.sim.EmbeddingsSettings;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 002's pipeline at the processor level over real HTTP against the simulator's OpenAI-compatible embeddings and
 * Qdrant-compatible points: documents embedded in token-weighed batches (requests and tokens per minute charged),
 * answers mapped back by index, then upserted in batches. A document longer than the model's context makes the
 * embeddings API refuse its whole batch (400): the batch is split until that document fails alone, and every other
 * document is embedded once and stored once (seed 003's return_exceptions=True).
 */
class RagBatchHttpTest {
  private static final SpecLocation AT = new SpecLocation("rag.yaml", 1, 1);
  private SimServer sim;

  @AfterEach
  void stop() {
    if (sim != null) sim.close();
  }

  private static Template t(String text) {
    return Template.parse(text, AT);
  }

  private static List<StepConfig> ragSteps() {
    CallConfig embed = new CallConfig(new RequestTemplate("POST", t("/embeddings"), Map.of(), Map.of(),
        JsonTemplate.of(Map.of("model", "text-embedding-3-small", "input", "{{ batch.each(row.content) }}"), AT)),
        null, ResponseRules.DEFAULTS, Map.of("vector", JsonPath.parse("$.embedding", AT)),
        Map.of("tokens", t("{{ batch.weight }}")));
    BatchSettings embedBatch = new BatchSettings(8, 0, 2000, t("{{ tokens(row.content) }}"), Duration.ofMillis(20),
        ItemMapping.byIndex(JsonPath.parse("$.data", AT), JsonPath.parse("$.index", AT), null),
        BatchSettings.DEFAULT_SPLIT_ON);
    Map<String, Object> point = new LinkedHashMap<>();
    point.put("points", "{{ batch.each({id: row.id, vector: steps.embed.vector, payload: {document_id: row.id, "
        + "title: row.title}}) }}");
    CallConfig upsert = new CallConfig(new RequestTemplate("PUT", t("/collections/docs/points?wait=true"), Map.of(),
        Map.of(), JsonTemplate.of(point, AT)), null, ResponseRules.DEFAULTS,
        Map.of("status", JsonPath.parse("$.status", AT)), Map.of());
    return List.of(
        new RequestStepConfig("embed", AT, null, "embeddings", embed, embedBatch),
        new RequestStepConfig("upsert", AT, null, "qdrant", upsert, new BatchSettings(16, 0, 0, null,
            Duration.ofMillis(20), ItemMapping.WHOLE, BatchSettings.DEFAULT_SPLIT_ON)));
  }

  private List<TargetConfig> targets() {
    return targets(TargetLimits.of(List.of(new LimitRule("requests", 3000, Duration.ofMinutes(1)),
        new LimitRule("tokens", 1_000_000, Duration.ofMinutes(1)))));
  }

  private List<TargetConfig> targets(TargetLimits embeddingsLimits) {
    return List.of(
        new TargetConfig("embeddings", AT, URI.create(sim.baseUrl() + "/v1"), Map.of("Authorization",
            "Bearer sk-test-embeddings"), embeddingsLimits, null),
        new TargetConfig("qdrant", AT, sim.baseUrl(), Map.of("api-key", ""), TargetLimits.NONE, null));
  }

  private static List<RowInput> documents(int n, int tooLong) {
    List<RowInput> rows = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String content = i == tooLong ? "lorem ipsum ".repeat(400) : "Document " + i + " about topic " + (i % 7);
      rows.add(new RowInput(i, 0, i, null, null, Map.of("id", (long) i, "title", "Title " + i, "content", content)));
    }
    return rows;
  }

  /** Runs the rows through the steps with 40 in flight; their outcomes. */
  private static List<RowOutcome> run(List<TargetConfig> targets, List<RowInput> rows) throws InterruptedException {
    return run(targets, rows, null);
  }

  /** @param concurrency the job's adaptive limit the targets feed, or null */
  private static List<RowOutcome> run(List<TargetConfig> targets, List<RowInput> rows,
      dev.ferry.core.limit.ConcurrencyLimiter concurrency) throws InterruptedException {
    try (JobSteps steps = JobSteps.builder(targets, ragSteps()).jobId("rag").key(t("{{ row.id }}"))
        .concurrencyLimiter(concurrency).build()) {
      ConcurrentLinkedQueue<RowOutcome> out = new ConcurrentLinkedQueue<>();
      Semaphore inFlight = new Semaphore(40);
      List<Thread> threads = new ArrayList<>();
      for (RowInput r : rows) {
        inFlight.acquire();
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            out.add(steps.processor().process(r));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inFlight.release();
          }
        }));
      }
      for (Thread th : threads) th.join();
      return new ArrayList<>(out);
    }
  }

  /** A limit that never moves and counts its samples (rows) and calls, and the most rows in flight it was told of. */
  private static final class CountingLimit implements dev.ferry.core.limit.Limit {
    final java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger peakLoad = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public int limit() {
      return 40;
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
      return onSample(startNanos, rttNanos, inflight, dropped, 1);
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped, int rows) {
      calls.incrementAndGet();
      samples.addAndGet(rows);
      peakLoad.accumulateAndGet(inflight, Math::max);
      return 40;
    }
  }

  @Test
  void eachTargetFeedsItsOwnPartOfTheAdaptiveLimitAndABatchAnswerCountsItsRows() throws Exception {
    // Given: the simulator, and the job's adaptive limit with an algorithm per target
    sim = SimServer.start(SimConfig.builder().build());
    List<CountingLimit> made = new ArrayList<>();
    dev.ferry.core.limit.ConcurrencyLimiter limit = dev.ferry.core.limit.ConcurrencyLimiter.perSource(() -> {
      CountingLimit l = new CountingLimit();
      made.add(l);
      return l;
    }, 1000);
    // When 40 documents are embedded in batches of at most 8 and upserted in batches of at most 16
    List<RowOutcome> outcomes = run(targets(), documents(40, -1), limit);
    // Then: one algorithm per target (embeddings, qdrant), each told every row once by fewer answers than rows, with
    // no more rows in flight than the batches carried
    assertThat(outcomes).hasSize(40).allSatisfy(o -> assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE));
    assertThat(made).hasSize(2);
    CountingLimit embeddings = made.get(0);
    CountingLimit qdrant = made.get(1);
    assertThat(embeddings.samples.get()).isEqualTo(40);
    assertThat(embeddings.calls.get()).isEqualTo((int) sim.stats().embeddings().requests()).isBetween(5, 39);
    assertThat(qdrant.samples.get()).isEqualTo(40);
    assertThat(qdrant.calls.get()).isBetween(3, 39);
    assertThat(embeddings.peakLoad.get()).isBetween(1, 40);
    assertThat(limit.describe()).contains("embeddings").contains("qdrant");
  }

  @Test
  void aBatchRefusedForTokensWaitsForTheTokenWindowAndIsEmbeddedOnce() throws Exception {
    // Given an account of 60,000 tokens per minute counted per second (1,000 a second, stated in its x-ratelimit-*
    // headers) while the spec states ten times that, and 40 documents of about 75 tokens (8 a batch: 600 tokens)
    sim = SimServer.start(SimConfig.builder().embeddings(EmbeddingsSettings.builder().tokensPerMinute(60_000)
        .window(Duration.ofSeconds(1)).build()).build());
    List<RowInput> rows = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      rows.add(new RowInput(i, 0, i, null, null, Map.of("id", (long) i, "title", "Title " + i, "content",
          ("Document " + i + " words. ").repeat(15))));
    }
    // When they run with the batches in flight at once (more tokens than a window admits)
    List<RowOutcome> outcomes = run(targets(TargetLimits.of(List.of(new LimitRule("tokens", 600_000,
        Duration.ofMinutes(1))))), rows);
    // Then the 429s for tokens paused the target until its token window came back, and every document was
    // embedded once (a refused batch embeds nothing) and stored once
    assertThat(outcomes).hasSize(40).allSatisfy(o -> assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE));
    SimStats stats = sim.stats();
    assertThat(stats.embeddings().rateLimitedTokens()).isPositive();
    assertThat(stats.embeddings().inputs()).isEqualTo(40);
    assertThat(stats.points().points()).isEqualTo(40);
    assertThat(stats.points().rewrites()).isZero();
  }

  @Test
  void aBatchLargerThanTheTokenWindowIsSplitAndADocumentLargerThanTheWindowFailsAlone() throws Exception {
    // Given an account that admits 1,000 tokens a second (60,000 per minute counted per second): a batch of 8
    // documents of 200 tokens (1,600) is "Request too large", and so is document 5 alone (1,250 tokens)
    sim = SimServer.start(SimConfig.builder().embeddings(EmbeddingsSettings.builder().tokensPerMinute(60_000)
        .window(Duration.ofSeconds(1)).build()).build());
    List<RowInput> rows = new ArrayList<>();
    for (int i = 1; i <= 16; i++) {
      String content = i == 5 ? "x".repeat(5_000) : ("Doc " + i + " text. ").repeat(100).substring(0, 800);
      rows.add(new RowInput(i, 0, i, null, null, Map.of("id", (long) i, "title", "Title " + i, "content", content)));
    }
    // When they run (limits learned from the headers)
    List<RowOutcome> outcomes = run(targets(TargetLimits.AUTO), rows);
    // Then the batches were split until they fit, document 5 failed alone with the API's message, and every other
    // document was embedded once and stored once
    assertThat(outcomes).hasSize(16);
    RowOutcome big = outcomes.stream().filter(o -> o.row() == 5).findFirst().orElseThrow();
    assertThat(big.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(big.httpStatus()).isEqualTo(429);
    assertThat(big.retryable()).isFalse();
    assertThat(big.message()).contains("Request too large");
    assertThat(outcomes).filteredOn(o -> o.row() != 5)
        .allSatisfy(o -> assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE));
    SimStats stats = sim.stats();
    assertThat(stats.embeddings().inputs()).isEqualTo(15);
    assertThat(stats.points().points()).isEqualTo(15);
  }

  @Test
  void documentsAreEmbeddedAndStoredOnceAndTheOneTooLongFailsAlone() throws Exception {
    // Given a model whose context is 200 tokens (by the simulator's count), and 60 documents, number 17 too long
    sim = SimServer.start(SimConfig.builder().embeddings(EmbeddingsSettings.builder().contextTokens(200).build())
        .build());
    // When the rows run with 40 in flight (more than a batch: batches fill)
    List<RowOutcome> outcomes = run(targets(), documents(60, 17));
    // Then 59 documents are done by the upsert, and document 17 failed at embed with the API's message
    assertThat(outcomes).hasSize(60);
    RowOutcome bad = outcomes.stream().filter(o -> o.row() == 17).findFirst().orElseThrow();
    assertThat(bad.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(bad.step()).isEqualTo("embed");
    assertThat(bad.httpStatus()).isEqualTo(400);
    assertThat(bad.retryable()).isFalse();
    assertThat(bad.message()).containsIgnoringCase("context");
    assertThat(outcomes).filteredOn(o -> o.row() != 17).allSatisfy(o -> {
      assertThat(o.outcome()).as(o.toString()).isEqualTo(Outcome.DONE);
      assertThat(o.step()).isEqualTo("upsert");
    });
    // and the APIs saw each good document once: embedded once (refused calls embed nothing), stored once
    SimStats stats = sim.stats();
    assertThat(stats.embeddings().inputs()).isEqualTo(59);
    assertThat(stats.points().points()).isEqualTo(59);
    assertThat(stats.points().rewrites()).isZero();
    // in batches, not one call per document
    assertThat(stats.points().upserts()).isLessThan(59);
    assertThat(stats.embeddings().succeeded()).isLessThan(59);
  }
}
