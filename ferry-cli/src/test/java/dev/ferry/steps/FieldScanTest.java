package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.steps.template.JsonPath;
import dev.ferry.steps.template.SpecLocation;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FieldScan} reads what the answer's tree holds at {@code $.NAME}, or leaves it to the tree. */
class FieldScanTest {
  private static final List<String> BODIES = List.of("", " ", "null", "{}", "[]", "1", "\"id\"", "{\"id\":\"u1\"}",
      "{\"id\":null}", "{\"id\":1}", "{\"id\":1.5}", "{\"id\":true}", "{\"id\":{\"a\":1}}", "{\"id\":[1]}",
      "{\"a\":{\"id\":\"x\"},\"id\":\"u2\"}", "{\"id\":\"u1\",\"id\":\"u2\"}", "{\"id\":\"u1\",\"id\":null}",
      "{\"id\":\"u1\"", "{\"id\":\"u1\",}", "{\"id\":\"u1\"} trailing", "{\"id\":\"u1\"}{", "{\"x\":[1,2,{\"id\":3}]}",
      "{\"id\":\"\\u00e9\\n\\\"q\\\"\"}", "{\"data\":[{\"id\":\"u\"}],\"id\":\"top\"}", "{\"id\":\"u1\",\"b\":tru}",
      "{\"b\":[1,2,\"id\"],\"id\":\"z\"}", "{ \"id\" : \"sp\" }", "{\"ID\":\"case\"}", "{\"id\":\"a\",\"x\":{\"y\":[}}");
  private static final String[] PIECES = {"{", "}", "[", "]", ",", ":", "\"id\"", "\"x\"", "\"v\"", "1", "null", "true",
      " ", "\"", "\\"};

  @Test
  void readsWhatTheTreeHolds() {
    // Given answers of every shape, and random token soup
    JsonPath id = JsonPath.parse("$.id", SpecLocation.UNKNOWN);
    List<String> bodies = new java.util.ArrayList<>(BODIES);
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder("{");
      for (int n = random.nextInt(12); n > 0; n--) b.append(PIECES[random.nextInt(PIECES.length)]);
      bodies.add(b.toString());
    }
    int scanned = 0;
    for (String body : bodies) {
      // When the field is scanned
      Object v = FieldScan.read(body, "id");
      // Then it is the tree's value, unless the scan leaves it to the tree
      if (v == FieldScan.UNSURE) continue;
      scanned++;
      assertThat(v).as(body).isEqualTo(id.read(Json.readOrNull(body)));
    }
    assertThat(scanned).isGreaterThan(1000);
    assertThat(FieldScan.read("{\"id\":\"u1\",\"name\":\"x\"}", "id")).isEqualTo("u1");
    assertThat(FieldScan.read("{\"id\":1}", "id")).isSameAs(FieldScan.UNSURE);
  }
}
