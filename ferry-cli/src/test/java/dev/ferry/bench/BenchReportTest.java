package dev.ferry.bench;

import static dev.ferry.bench.BenchAnalysisTest.ladder;
import static dev.ferry.bench.BenchAnalysisTest.rung;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three renderings of a study: terminal text, JSON and the self-contained HTML. */
class BenchReportTest {
  static BenchResult rateLimitedStudy() {
    List<Rung> rungs = ladder(rung(1, 2.5), rung(2, 5), rung(4, 10), rung(8, 19.8), rung(16, 24.6));
    BenchSetup setup = new BenchSetup("simulator", "http://127.0.0.1:1234 (in-process simulator)", 200, 50, 50, 0,
        List.of(1, 2, 4, 8, 16), 1, 10_000, 156, 3, 15, 1, List.of("target: a <simulated> API & more"));
    BenchContext ctx = new BenchContext(2, 50, 0.985, 0, false, true, "user");
    return BenchResult.of(setup, ctx, rungs, "2026-11-23T10:00:00", 101);
  }

  @Test
  void textHasTheTablesAndTheJudgement() {
    // When
    String text = BenchText.render(rateLimitedStudy());

    // Then
    assertThat(text).contains("workers  in flight  users/s  speedup  efficiency  req/s  p50 ms")
        .contains("latency per call, ms (p50 / p95 / p99):")
        .contains("bottleneck: rate limit: from 16 workers")
        .contains("USL fit: λ = 2.50 users/s a worker")
        .contains("recommended: --workers 16 --concurrency 1 (24.6 users/s measured)")
        .contains("ceiling: the rate limit allows 24.6 users/s (50 req/s × 98.5% paced ÷ 2 calls a user)");
    assertThat(text.lines().filter(l -> l.matches("\\s+16\\s+16\\s+24\\.6\\s+9\\.84x\\s+62%.*"))).hasSize(1);
  }

  @Test
  void rungsTooShortToJudgeShowNoRateAndNoShare() throws Exception {
    // Given: a spec's study of 10-record slices against a fast target (windows of 0.1 s and less)
    List<Rung> rungs = ladder(rung(1, 60).window(0.1), rung(2, 40).window(0.1), rung(4, 176).window(0.01));
    BenchSetup setup = new BenchSetup("spec", "crm http://127.0.0.1:1234", 0, 0, 0, 0, List.of(1, 2, 4), 1, 10, 1,
        3, 15, 1, List.of());
    BenchResult r = BenchResult.of(setup, new BenchContext(2, 100, 0.95, 0, false, false, "row", "crm: 100 requests"
        + " per 1s"), rungs, "2026-12-08T01:00:00", 2);

    // When
    String text = BenchText.render(r);
    JsonNode n = new ObjectMapper().readTree(BenchJson.render(r));

    // Then: each rung's line has its counts but no rate, speedup or percentage; no recommendation or ceiling
    List<String> rungLines = text.lines().filter(l -> l.matches("\\s+[124]\\s.*")).toList();
    assertThat(rungLines).hasSize(9).noneMatch(l -> l.contains("%")).noneMatch(l -> l.endsWith("yes"));
    assertThat(text).contains("bottleneck: not judged: every rung's window was too short (at most 6 rows in 0.1 s;")
        .contains("no (too few rows to judge)").contains("USL fit: needs two judged rungs")
        .doesNotContain("recommended:", "ceiling:", "% of");
    assertThat(n.path("verdict").path("bottleneck").asText()).isEqualTo("not_judged");
    assertThat(n.path("rungs").get(0).path("judged").asBoolean()).isFalse();
    assertThat(n.path("rungs").get(0).path("not_judged").asText())
        .isEqualTo("too few rows to judge: 6 rows in 0.1 s; raise --max-records");
    assertThat(n.path("rungs").get(0).path("efficiency").isNull()).isTrue();
    assertThat(n.path("recommendation").isNull()).isTrue();
    assertThat(BenchHtml.render(r)).contains("(too few rows to judge: 6 rows in 0.1 s; raise --max-records)")
        .doesNotContain("Recommended:");
  }

  @Test
  void jsonCarriesEveryRungTheVerdictTheFitAndTheRecommendation() throws Exception {
    // When
    JsonNode n = new ObjectMapper().readTree(BenchJson.render(rateLimitedStudy()));

    // Then
    assertThat(n.path("rungs")).hasSize(5);
    assertThat(n.path("rungs").get(4).path("rows_per_second").asDouble()).isEqualTo(24.6);
    assertThat(n.path("rungs").get(4).path("latency_ms_by_call").path("create_user").path("p95").asDouble())
        .isEqualTo(245);
    assertThat(n.path("verdict").path("bottleneck").asText()).isEqualTo("rate_limit");
    assertThat(n.path("usl").path("sigma").isNumber()).isTrue();
    assertThat(n.path("recommendation").path("workers").asInt()).isEqualTo(16);
    assertThat(n.path("setup").path("ladder").toString()).isEqualTo("[1,2,4,8,16]");
    assertThat(n.path("setup").path("serial_ms").asDouble()).isZero();
  }

  @Test
  void htmlIsSelfContainedAndEscaped() {
    // When
    String html = BenchHtml.render(rateLimitedStudy());

    // Then: nothing is fetched from anywhere
    assertThat(Pattern.compile("(?i)(src|href)\\s*=").matcher(html).find()).isFalse();
    assertThat(html).doesNotContainIgnoringCase("@import").doesNotContain("url(http").doesNotContain("//cdn");
    assertThat(Pattern.compile("url\\((?!#)").matcher(html).find()).isFalse();
    // and: text is escaped, the data is embedded without a closing tag inside it
    assertThat(html).contains("a &lt;simulated&gt; API &amp; more");
    String data = html.substring(html.indexOf("id=\"bench-data\">"), html.indexOf("</script>"));
    assertThat(data).doesNotContain("<simulated>").contains("\\u003csimulated\\u003e");
    assertThat(html).contains("<svg id=\"chart\"", "<table id=\"rungs\">", "Bottleneck: rate limit");
  }
}
