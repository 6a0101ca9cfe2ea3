package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsonText} writes what a default Jackson {@code ObjectMapper} writes. */
class JsonTextTest {
  private final ObjectMapper jackson = new ObjectMapper();

  @Test
  void escapesAsJacksonDoes() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x100; c++) all.append(c);
    all.append("\u2028\u2029\uD83D\uDE00\uD83D \uDE00 \uFFFF ünïcödé");
    String s = all.toString();
    assertThat(JsonText.write(s)).isEqualTo(jackson.writeValueAsString(s));
    assertThat(JsonText.write("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
    assertThat(JsonText.write("\u0001\u001f")).isEqualTo("\"\\u0001\\u001F\"");
  }

  @Test
  void randomValuesAreWrittenAsJacksonWritesThem() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      Object v = value(random, 0);
      assertThat(JsonText.write(v)).as("%s", v).isEqualTo(jackson.writeValueAsString(v));
    }
  }

  @Test
  void valuesThatAreNotPlainJsonGoToJackson() throws Exception {
    Map<Object, Object> intKeys = new LinkedHashMap<>();
    intKeys.put(1, "a");
    List<Object> odd = List.of(new BigDecimal("1.50"), new BigInteger("123456789012345678901234567890"),
        Double.NaN, Double.POSITIVE_INFINITY, 1.5f, intKeys, 'c');
    for (Object v : odd) assertThat(JsonText.write(v)).as("%s", v).isEqualTo(jackson.writeValueAsString(v));
    assertThat(JsonText.write(odd)).isEqualTo(jackson.writeValueAsString(odd));
  }

  private static Object value(Random r, int depth) {
    int kind = r.nextInt(depth > 3 ? 7 : 9);
    return switch (kind) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextLong() >> r.nextInt(64);
      case 3 -> r.nextInt();
      case 4 -> switch (r.nextInt(4)) {
        case 0 -> Double.longBitsToDouble(r.nextLong());
        case 1 -> (double) r.nextInt(1000) / 8;
        case 2 -> r.nextGaussian() * 1e-9;
        default -> (double) r.nextLong();
      };
      case 5, 6 -> text(r);
      case 7 -> {
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) l.add(value(r, depth + 1));
        yield l;
      }
      default -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) m.put(text(r), value(r, depth + 1));
        yield m;
      }
    };
  }

  private static String text(Random r) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      b.append(switch (r.nextInt(5)) {
        case 0 -> (char) r.nextInt(0x20);
        case 1 -> (char) (0x20 + r.nextInt(0x60));
        case 2 -> (char) r.nextInt(0x10000);
        case 3 -> "\"\\/";
        default -> "ü😀";
      });
    }
    return b.toString();
  }
}
