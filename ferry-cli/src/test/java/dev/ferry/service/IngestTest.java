package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.time.Ticker;
import dev.ferry.core.time.WallClock;
import dev.ferry.spec.ServeConfig;
import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.store.SqlWorkQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a route answers for a delivery's items, and what it stores. */
class IngestTest {
  @TempDir
  Path dir;

  private static ServeConfig.Route route(String items) {
    SpecLocation at = new SpecLocation("svc.yaml", 1, 1);
    return new ServeConfig.Route("/in", null, JsonPath.parse("$.id", at), null,
        items == null ? null : JsonPath.parse(items, at), Map.of());
  }

  private static Ingest.Answer send(Ingest ingest, String body) {
    return ingest.accept(body.getBytes(StandardCharsets.UTF_8), name -> null);
  }

  @Test
  void aDeliveryWithoutTheItemsPathIsRefusedNotAcknowledgedAsNone() throws Exception {
    try (SqlWorkQueue queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "q")) {
      Ingest ingest = new Ingest(route("$.data"), queue, WallClock.system(), 100, 5, new ItemRates(Ticker.system()));

      // When: the body has no $.data (a typo in the spec's items, or another shape of event)
      Ingest.Answer missing = send(ingest, "{\"id\":\"d1\",\"pages\":[{\"a\":1}]}");
      Ingest.Answer isNull = send(ingest, "{\"id\":\"d2\",\"data\":null}");

      // Then: 400 naming the path; nothing stored, so the same delivery is stored once the spec is fixed
      assertThat(missing.status()).isEqualTo(400);
      assertThat(missing.text()).isEqualTo("no items at $.data (the route's items): not stored");
      assertThat(isNull.status()).isEqualTo(400);
      assertThat(queue.stats(0).pending()).isZero();
      assertThat(send(ingest, "{\"id\":\"d1\",\"data\":[{\"a\":1}]}").status()).as("not taken as a duplicate")
          .isEqualTo(202);

      // And: an empty list is a delivery of no items, an object one item, as before
      assertThat(send(ingest, "{\"id\":\"d3\",\"data\":[]}")).isEqualTo(new Ingest.Answer(202, "stored 0 item(s)", 0));
      assertThat(send(ingest, "{\"id\":\"d4\",\"data\":{\"a\":1}}")).isEqualTo(new Ingest.Answer(202, "stored 1 item(s)",
          0));
      assertThat(queue.stats(0).pending()).isEqualTo(2);
    }
  }

  @Test
  void withoutAnItemsPathTheWholeBodyIsTheItem() throws Exception {
    try (SqlWorkQueue queue = SqlWorkQueue.open(dir.resolve("ferry.db").toString(), "q")) {
      Ingest ingest = new Ingest(route(null), queue, WallClock.system(), 100, 5, new ItemRates(Ticker.system()));
      assertThat(send(ingest, "{\"id\":\"d1\"}")).isEqualTo(new Ingest.Answer(202, "stored 1 item(s)", 0));
    }
  }
}
