package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.steps.RenderedRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@link RequestSample}: the first worker's first N rows, each with all its requests; the others counted. */
class RequestSampleTest {
  private static RenderedRequest request(long row, String step) {
    return new RenderedRequest(row, step, "t", "POST", "http://x/" + step, List.of(), null);
  }

  @Test
  void theOwnersFirstRowsAreShownWholeAndAnotherWorkersRowsCounted() throws InterruptedException {
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    RequestSample sample = new RequestSample(2, r -> printed.add(r.row() + " " + r.step()));
    // the first worker renders rows 1-3 (two requests each); another worker renders rows 1001-1002 meanwhile
    for (long row = 1; row <= 2; row++) {
      sample.accept(request(row, "a"));
      sample.accept(request(row, "b"));
    }
    CountDownLatch other = new CountDownLatch(1);
    Thread.ofPlatform().start(() -> {
      for (long row = 1001; row <= 1002; row++) {
        sample.accept(request(row, "a"));
        sample.accept(request(row, "b"));
      }
      other.countDown();
    });
    other.await();
    sample.accept(request(3, "a"));
    sample.accept(request(3, "b"));

    assertThat(printed).containsExactly("1 a", "1 b", "2 a", "2 b");
    assertThat(sample.hiddenRows()).isEqualTo(3);
    assertThat(sample.summary()).isEqualTo("... and the requests of 3 more rows (6 requests) rendered and checked,"
        + " not shown (--show-requests N or all to see more)");
  }

  @Test
  void allPrintsEveryRequestAndHasNoSummary() {
    List<String> printed = new ArrayList<>();
    RequestSample sample = new RequestSample(RequestSample.ALL, r -> printed.add(r.row() + " " + r.step()));
    for (long row = 1; row <= 50; row++) sample.accept(request(row, "a"));
    assertThat(printed).hasSize(50);
    assertThat(sample.summary()).isNull();
  }

  @Test
  void oneHiddenRowIsSingular() {
    RequestSample sample = new RequestSample(0, r -> { });
    sample.accept(request(7, "a"));
    assertThat(sample.summary()).isEqualTo("the requests of 1 row (1 request) rendered and checked, not shown"
        + " (--show-requests N or all to see them)");
  }
}
