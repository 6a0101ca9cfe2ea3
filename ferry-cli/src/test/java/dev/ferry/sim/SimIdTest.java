package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimIdTest {

  @Test
  void formatsAs26CrockfordCharactersAndParsesBack() {
    Random random = new Random(1);
    for (int i = 0; i < 1_000; i++) {
      SimId id = new SimId(random.nextLong(), random.nextLong());

      String text = id.format("user");

      assertThat(text).matches("user_[0-7][0-9A-HJKMNP-TV-Z]{25}");
      assertThat(SimId.parse("user", text)).isEqualTo(id);
    }
    assertThat(new SimId(0, 0).format("om")).isEqualTo("om_" + "0".repeat(26));
    assertThat(new SimId(-1, -1).format("om")).isEqualTo("om_7" + "Z".repeat(25));
  }

  @Test
  void rejectsTextThatIsNotAnIdOfThatKind() {
    String valid = new SimId(1, 2).format("user");

    assertThat(SimId.parse("org", valid)).isNull();
    assertThat(SimId.parse("user", valid.substring(0, valid.length() - 1))).isNull();
    assertThat(SimId.parse("user", valid.replace('0', 'U'))).isNull();
    assertThat(SimId.parse("user", "user_8" + "0".repeat(25))).isNull();
    assertThat(SimId.parse("user", "user_" + "0".repeat(25) + "é")).isNull();
    assertThat(SimId.parse("user", null)).isNull();
    assertThat(SimId.parse("user", "userX" + "0".repeat(26))).isNull();
  }

  @Test
  void generatedIdsAreUniqueAndStartWithTheirMillisecond() {
    AtomicLong millis = new AtomicLong(1_767_225_600_000L);
    IdGenerator ids = new IdGenerator(millis::get);
    Set<SimId> seen = new HashSet<>();

    for (int i = 0; i < 10_000; i++) {
      SimId id = ids.next();
      assertThat(seen.add(id)).isTrue();
      assertThat(id.hi() >>> 16).isEqualTo(millis.get());
    }
    String early = ids.next().format("user");
    millis.addAndGet(1);
    assertThat(ids.next().format("user")).isGreaterThan(early);
    assertThat(ids.requestId()).matches("req_[0-7][0-9A-HJKMNP-TV-Z]{25}");
  }
}
