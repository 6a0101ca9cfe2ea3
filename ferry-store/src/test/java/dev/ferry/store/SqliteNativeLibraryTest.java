package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNativeLibraryTest {
  @TempDir
  Path dir;

  @Test
  void theCopyIsMadeOnceAndKept() throws Exception {
    // Given no copy yet
    // When
    Path first = SqliteNativeLibrary.keptCopy(dir);
    // Then it holds the library, and nothing else is left in its folder
    assertThat(first).isNotNull().isRegularFile();
    assertThat(Files.size(first)).isGreaterThan(100_000);
    try (var files = Files.list(first.getParent())) {
      assertThat(files).containsExactly(first);
    }
    // When it is asked for again, the same file comes back untouched
    FileTime made = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(first, made);
    Path second = SqliteNativeLibrary.keptCopy(dir);
    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(second)).isEqualTo(made);
  }

  @Test
  void aFolderThatCannotBeWrittenGivesNoCopyAndNoError() throws Exception {
    // Given a plain file where the folder should be
    Path notADir = Files.writeString(dir.resolve("native"), "x");
    // When / Then
    assertThat(SqliteNativeLibrary.keptCopy(notADir)).isNull();
  }
}
