package dev.ferry.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyIndexTest {
  private record Dup(long row, long line, String email, long firstLine) {}

  /** The naive model: a map of lower-cased email to first line. */
  private static List<Dup> expected(List<String> emails) {
    Map<String, Long> first = new HashMap<>();
    List<Dup> dups = new ArrayList<>();
    for (int i = 0; i < emails.size(); i++) {
      long row = i + 1;
      long line = row * 2; // lines differ from rows, as after multi-line fields
      Long f = first.putIfAbsent(emails.get(i).toLowerCase(Locale.ROOT), line);
      if (f != null) dups.add(new Dup(row, line, emails.get(i), f));
    }
    return dups;
  }

  private static List<Dup> actual(List<String> emails, int memoryEmails) throws Exception {
    List<Dup> dups = new ArrayList<>();
    try (KeyIndex index = new KeyIndex(memoryEmails)) {
      for (int i = 0; i < emails.size(); i++) {
        index.add(emails.get(i), i + 1, (i + 1) * 2L, (r, l, e, f) -> dups.add(new Dup(r, l, e, f)));
      }
      index.finish((r, l, e, f) -> dups.add(new Dup(r, l, e, f)));
    }
    dups.sort(java.util.Comparator.comparingLong(Dup::row));
    return dups;
  }

  private static List<String> randomEmails(long seed, int n, int distinct) {
    Random random = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String e = "user" + random.nextInt(distinct) + "@Example.com";
      out.add(random.nextBoolean() ? e.toUpperCase(Locale.ROOT) : e);
    }
    return out;
  }

  @Test
  void inMemoryFindsEveryRepeatWithItsFirstLineIgnoringCase() throws Exception {
    // Given
    List<String> emails = List.of("a@x.io", "B@x.io", "A@X.IO", "c@x.io", "b@x.io", "a@x.io");
    // When / Then
    assertThat(actual(emails, 1000)).isEqualTo(expected(emails))
        .extracting(Dup::row).containsExactly(3L, 5L, 6L);
  }

  @Test
  void spillingGivesTheSameAnswerAsTheModel() throws Exception {
    for (long seed = 0; seed < 5; seed++) {
      // Given 20,000 rows over 5,000 emails, and room for only 100 in memory
      List<String> emails = randomEmails(seed, 20_000, 5_000);
      // When / Then: every repeat found, first lines right, in memory or from the spill files
      assertThat(actual(emails, 100)).isEqualTo(expected(emails));
    }
  }

  @Test
  void aRepeatOfAnEmailKeptInMemoryIsFoundAfterSpillingStarts() throws Exception {
    List<String> emails = List.of("a@x.io", "b@x.io", "c@x.io", "A@x.io", "d@x.io", "d@x.io");
    assertThat(actual(emails, 2)).isEqualTo(expected(emails));
  }

  @Test
  void spillFilesAreOwnerOnlyAndDeleted() throws Exception {
    // Given an index that spilled
    KeyIndex index = new KeyIndex(1);
    index.add("a@x.io", 1, 2, (r, l, e, f) -> { });
    index.add("b@x.io", 2, 3, (r, l, e, f) -> { });
    assertThat(index.spilling()).isTrue();
    Path dir = spillDir();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    // When it finishes
    index.finish((r, l, e, f) -> { });
    // Then its directory is gone
    assertThat(Files.exists(dir)).isFalse();
  }

  private static Path spillDir() throws Exception {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(p -> p.getFileName().toString().startsWith("ferry-emails-"))
          .max(java.util.Comparator.comparing(p -> p.toFile().lastModified())).orElseThrow();
    }
  }

  @Test
  void hashIgnoresCaseAndSurroundingSpacesAlsoBeyondAscii() {
    assertThat(KeyIndex.hash(" Ann@Example.COM ")).isEqualTo(KeyIndex.hash("ann@example.com"));
    assertThat(KeyIndex.hash("ÄNN@example.com")).isEqualTo(KeyIndex.hash("änn@example.com"));
    assertThat(KeyIndex.hash("ann@example.com")).isNotEqualTo(KeyIndex.hash("anne@example.com"));
  }
}
