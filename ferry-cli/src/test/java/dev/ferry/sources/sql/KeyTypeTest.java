package dev.ferry.sources.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Chunk positions: the planned keys written compactly and read back exactly. */
class KeyTypeTest {
  @Test
  void integerKeysAreWrittenAsRunsWithTheirStep() {
    assertThat(KeyType.INTEGER.encode(longs(1, 2, 3, 4))).isEqualTo("i:1..4");
    assertThat(KeyType.INTEGER.encode(longs(1, 2, 3, 5, 8, 9))).isEqualTo("i:1..3,5,8..9");
    assertThat(KeyType.INTEGER.encode(longs(3, 6, 9, 12, 14))).isEqualTo("i:3..12/3,14");
    assertThat(KeyType.INTEGER.encode(longs(-5, -4, -3, 7))).isEqualTo("i:-5..-3,7");
    assertThat(KeyType.INTEGER.encode(longs(10, 20))).isEqualTo("i:10,20");
  }

  @Test
  void everyPositionReadsBackAsItsKeys() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      List<Object> keys = new ArrayList<>();
      long k = random.nextInt(2_000) - 1_000;
      for (int i = 0; i < 1 + random.nextInt(60); i++) {
        keys.add(k);
        k += 1 + (random.nextInt(4) == 0 ? random.nextInt(5) : 0);
      }
      String position = KeyType.INTEGER.encode(keys);
      assertThat(KeyType.decode(position).keys()).as(position).isEqualTo(keys);
    }
    List<Object> text = List.of("a", "b,c", "\"q\"", "\u00e9", "");
    assertThat(KeyType.decode(KeyType.TEXT.encode(text))).isEqualTo(new KeyType.Decoded(KeyType.TEXT, text));
  }

  @Test
  void aPositionOfAnotherKindIsRefused() {
    assertThatThrownBy(() -> KeyType.decode("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyType.decode("x:1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyType.decode("i:1..5/0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyType.decode("s:not json")).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Object> longs(long... values) {
    List<Object> list = new ArrayList<>();
    for (long v : values) list.add(v);
    return list;
  }
}
