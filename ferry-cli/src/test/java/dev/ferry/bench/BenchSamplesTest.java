package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting a users file into per-rung slices at record boundaries, header repeated. */
class BenchSamplesTest {
  @TempDir
  Path tmp;

  @Test
  void slicesAreDisjointConsecutiveAndKeepQuotedLineBreaksWhole() throws Exception {
    // Given: 5 rows, the second with a line break inside quotes, no newline at the end
    Path csv = tmp.resolve("in.csv");
    Files.writeString(csv, "email,first_name\na@x.io,A\nb@x.io,\"B\nline two\"\nc@x.io,C\nd@x.io,D\ne@x.io,E");

    // When
    List<Path> slices = BenchSamples.slices(csv, 2, 2, tmp);

    // Then
    assertThat(slices).hasSize(2);
    assertThat(Files.readString(slices.get(0))).isEqualTo("email,first_name\na@x.io,A\nb@x.io,\"B\nline two\"\n");
    assertThat(Files.readString(slices.get(1))).isEqualTo("email,first_name\nc@x.io,C\nd@x.io,D\n");
    assertThat(BenchSamples.countRows(csv)).isEqualTo(5);
  }

  @Test
  void aSingleSliceOfTheWholeFileIsTheFileItselfAndTooFewRowsAreRefused() throws Exception {
    // Given
    Path csv = tmp.resolve("in.csv");
    Files.writeString(csv, "email\na@x.io\nb@x.io\n");

    // Then
    assertThat(BenchSamples.slices(csv, 10, 1, tmp)).containsExactly(csv);
    assertThat(Files.readString(BenchSamples.slices(csv, 1, 2, tmp).get(1))).isEqualTo("email\nb@x.io\n");
    assertThatThrownBy(() -> BenchSamples.slices(csv, 2, 2, tmp)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 2 rows");
  }

  @Test
  void defaultsPickConcurrencyByLittlesLawAndChunksPerWorker() {
    assertThat(BenchDefaults.concurrency(49.25, 0.2, 16)).isEqualTo(1);
    assertThat(BenchDefaults.concurrency(500, 0.202, 16)).isEqualTo(10);
    assertThat(BenchDefaults.concurrency(Double.POSITIVE_INFINITY, 0.2, 16)).isEqualTo(1);
    assertThat(BenchDefaults.chunkSize(10_000, 16)).isEqualTo(156);
    assertThat(BenchDefaults.chunkSize(1_000_000, 8)).isEqualTo(1000);
    assertThat(BenchDefaults.chunkSize(100, 20)).isEqualTo(1);
  }
}
