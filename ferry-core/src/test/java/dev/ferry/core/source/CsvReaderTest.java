package dev.ferry.core.source;

import static dev.ferry.core.source.TestCsv.bytes;
import static dev.ferry.core.source.TestCsv.readAll;
import static dev.ferry.core.source.TestCsv.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.source.TestCsv.Rec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvReaderTest {
  private static final int[] BUFFER_SIZES = {1, 2, 3, 7, 64, CsvReader.DEFAULT_BUFFER_SIZE};

  @TempDir
  Path dir;

  /** Reads with several buffer sizes, checks they agree, and returns the records. */
  private List<Rec> read(Path file, CsvLimits limits) throws IOException {
    List<Rec> expected = readAll(file, limits, CsvReader.DEFAULT_BUFFER_SIZE);
    for (int size : BUFFER_SIZES) {
      assertThat(readAll(file, limits, size)).as("buffer size %d", size).isEqualTo(expected);
    }
    return expected;
  }

  private List<Rec> read(Path file) throws IOException {
    return read(file, CsvLimits.defaults());
  }

  @Test
  void readsASimpleFile() throws IOException {
    // Given
    Path file = write(dir, "users.csv", "email,first_name,last_name\na@x.io,Ann,Lee\nb@x.io,Bo,Ng\n");

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).containsExactly(
        new Rec(1, 2, 27, 42, List.of("a@x.io", "Ann", "Lee"), null),
        new Rec(2, 3, 42, 55, List.of("b@x.io", "Bo", "Ng"), null));
  }

  @Test
  void fieldsBeyondTheRecordAreEmptyAndNegativeIndexesThrow() throws IOException {
    Path file = write(dir, "f.csv", "a,b\n1,2\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());
    try (CsvReader r = CsvReader.open(file, header, header.dataOffset(), 2, 1, CsvLimits.defaults())) {
      assertThat(r.next()).isTrue();
      assertThat(r.field(5)).isEmpty();
      assertThatThrownBy(() -> r.field(-1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThat(r.next()).isFalse();
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void quotedFieldsHoldCommasNewlinesAndEscapedQuotes() throws IOException {
    // Given
    Path file = write(dir, "q.csv", "a,b,c\n"
        + "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        + "\"\",\"\"\"\",plain\n"
        + "\"three\r\nlines\rhere\",2,3\n"
        + "last,row,here\n");

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).extracting(Rec::fields).containsExactly(
        List.of("x,y", "say \"hi\"", "two\nlines"),
        List.of("", "\"", "plain"),
        List.of("three\r\nlines\rhere", "2", "3"),
        List.of("last", "row", "here"));
    assertThat(recs).extracting(Rec::line).containsExactly(2L, 4L, 5L, 8L);
    assertThat(recs).extracting(Rec::row).containsExactly(1L, 2L, 3L, 4L);
    assertThat(recs).extracting(Rec::error).containsOnlyNulls();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everyLineTerminatorEndsARecord(String eol) throws IOException {
    // Given
    Path file = write(dir, "t.csv", String.join(eol, "a,b", "1,2", "\"x" + eol + "y\",3", "4,5", ""));

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).extracting(Rec::fields)
        .containsExactly(List.of("1", "2"), List.of("x" + eol + "y", "3"), List.of("4", "5"));
    assertThat(recs).extracting(Rec::line).containsExactly(2L, 3L, 5L);
    assertThat(recs.get(2).endOffset()).isEqualTo(Files.size(file));
  }

  @Test
  void mixedTerminatorsCountOneLineEach() throws IOException {
    Path file = write(dir, "m.csv", "a\r\n1\r2\n3\r\n\r4\n\n\r\r5");

    List<Rec> recs = read(file);

    assertThat(recs).extracting(Rec::fields)
        .containsExactly(List.of("1"), List.of("2"), List.of("3"), List.of("4"), List.of("5"));
    assertThat(recs).extracting(Rec::line).containsExactly(2L, 3L, 4L, 6L, 10L);
  }

  @Test
  void blankLinesAreNotRows() throws IOException {
    // Given: blank lines after the header, between rows and at the end; one line of spaces is not blank
    Path file = write(dir, "b.csv", "a,b\n\n\r\n1,2\n\n\n3,4\n  \n\n");

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).containsExactly(
        new Rec(1, 4, 7, 11, List.of("1", "2"), null),
        new Rec(2, 7, 13, 17, List.of("3", "4"), null),
        new Rec(3, 8, 17, 20, List.of("  "), "expected 2 fields, found 1"));
  }

  @Test
  void aQuotedEmptyFieldIsARowButAnEmptyLineIsNot() throws IOException {
    Path file = write(dir, "one.csv", "name\n\"\"\n\nx\n");

    List<Rec> recs = read(file);

    assertThat(recs).extracting(Rec::fields).containsExactly(List.of(""), List.of("x"));
    assertThat(recs).extracting(Rec::line).containsExactly(2L, 4L);
  }

  @Test
  void aTrailingNewlineIsNotARow() throws IOException {
    Path with = write(dir, "with.csv", "a,b\n1,2\n");
    Path without = write(dir, "without.csv", "a,b\n1,2");
    Path emptyLast = write(dir, "comma.csv", "a,b\n1,");

    assertThat(read(with)).containsExactly(new Rec(1, 2, 4, 8, List.of("1", "2"), null));
    assertThat(read(without)).containsExactly(new Rec(1, 2, 4, 7, List.of("1", "2"), null));
    assertThat(read(emptyLast)).containsExactly(new Rec(1, 2, 4, 6, List.of("1", ""), null));
  }

  @Test
  void wrongFieldCountsAreRowErrorsAndReadingGoesOn() throws IOException {
    Path file = write(dir, "w.csv", "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5,6,7\n1,2\n1,2,3,4,5\n");

    List<Rec> recs = read(file);

    assertThat(recs).extracting(Rec::error)
        .containsExactly(null, "expected 5 fields, found 7", "expected 5 fields, found 2", null);
    assertThat(recs.get(1).fields()).hasSize(7);
    assertThat(recs.get(3).line()).isEqualTo(5);
  }

  @Test
  void anUnterminatedQuoteRunsToTheEndOfTheFile() throws IOException {
    // Given
    Path file = write(dir, "u.csv", "a,b\n1,2\n3,\"never\nclosed,5\n6,7\n");

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).hasSize(2);
    assertThat(recs.get(1)).isEqualTo(new Rec(2, 3, 8, Files.size(file),
        List.of("3", "never\nclosed,5\n6,7\n"), "unterminated quoted field starting on line 3"));
  }

  @Test
  void theUnterminatedQuoteIsNamedByItsOwnLine() throws IOException {
    Path file = write(dir, "u2.csv", "a,b\n\"multi\nline\",\"open");

    assertThat(read(file)).extracting(Rec::error).containsExactly("unterminated quoted field starting on line 3");
  }

  @Test
  void charactersAfterAClosingQuoteAreAnErrorAndTheNextRecordParses() throws IOException {
    Path file = write(dir, "q.csv", "name,email\n\"ab\"c,x@y.z\nok,\"fine\"\n");

    List<Rec> recs = read(file);

    assertThat(recs).containsExactly(
        new Rec(1, 2, 11, 23, List.of("abc", "x@y.z"), "unexpected character after closing quote in field 'name'"),
        new Rec(2, 3, 23, 33, List.of("ok", "fine"), null));
  }

  @Test
  void aQuoteInsideAnUnquotedFieldIsKept() throws IOException {
    Path file = write(dir, "h.csv", "name,height\nAl,5'10\"\n");

    assertThat(read(file)).extracting(Rec::fields).containsExactly(List.of("Al", "5'10\""));
  }

  @Test
  void bytesThatAreNotUtf8AreARowErrorNamingTheColumn() throws IOException {
    // Given: Latin-1 é (0xE9) in the third column, then a well-formed UTF-8 é
    Path file = write(dir, "l.csv", bytes("first,last,email\nRen", 0xE9, ",Ng,r", 0xE9, "@x.io\nRené,Ng,r@x.io\n"));

    // When
    List<Rec> recs = read(file);

    // Then
    assertThat(recs).extracting(Rec::error)
        .containsExactly("field 'first' (column 1) is not valid UTF-8", null);
    assertThat(recs.get(0).fields()).containsExactly("Ren\uFFFD", "Ng", "r\uFFFD@x.io");
    assertThat(recs.get(1).fields()).containsExactly("René", "Ng", "r@x.io");
  }

  @Test
  void aNulByteIsARowError() throws IOException {
    Path file = write(dir, "n.csv", bytes("a,x\n1,b", 0, "c\n2,\"q", 0, "\"\n3,4\n"));

    assertThat(read(file)).extracting(Rec::error)
        .containsExactly("field 'x' contains a NUL byte", "field 'x' contains a NUL byte", null);
  }

  @Test
  void anOverlongFieldIsCutAndTheNextRecordParses() throws IOException {
    // Given: a 10 MB unquoted field and a 10 MB quoted one holding newlines, with the default 1 MiB cap
    String big = "x".repeat(10_000_000);
    String bigQuoted = "\"" + "y\n".repeat(5_000_000) + "\"";
    Path file = write(dir, "big.csv", "id,note\n1," + big + "\n2,ok\n3," + bigQuoted + "\n4,ok\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    try (CsvReader r = CsvReader.open(file, header, header.dataOffset(), 2, 1, CsvLimits.defaults())) {
      // When / Then
      assertThat(r.next()).isTrue();
      assertThat(r.error()).isEqualTo("field 'note' is longer than 1048576 bytes");
      assertThat(r.field(1)).hasSize(1 << 20);
      assertThat(r.endOffset()).isEqualTo(header.dataOffset() + 2 + big.length() + 1);

      assertThat(r.next()).isTrue();
      assertThat(Rec.of(r).fields()).containsExactly("2", "ok");
      assertThat(r.error()).isNull();
      assertThat(r.line()).isEqualTo(3);

      assertThat(r.next()).isTrue();
      assertThat(r.error()).isEqualTo("field 'note' is longer than 1048576 bytes");
      assertThat(r.line()).isEqualTo(4);

      assertThat(r.next()).isTrue();
      assertThat(Rec.of(r).fields()).containsExactly("4", "ok");
      assertThat(r.line()).isEqualTo(4 + 5_000_000 + 1);
      assertThat(r.error()).isNull();
      assertThat(r.recordCapacity()).isLessThanOrEqualTo(CsvLimits.defaults().maxRecordBytes());
    }
  }

  @Test
  void aRecordKeepsAtMostFourFieldCapsInAll() throws IOException {
    // Given: fields of at most 10 bytes, so records of at most 40 bytes
    CsvLimits limits = new CsvLimits(10, 100);
    String nine = "123456789";
    Path file = write(dir, "r.csv", "a,b,c,d,e\n" + String.join(",", List.of(nine, nine, nine, nine, nine))
        + "\n1,2,3,4,5\n");

    List<Rec> recs = read(file, limits);

    assertThat(recs).extracting(Rec::error).containsExactly("record is longer than 40 bytes", null);
    assertThat(String.join("", recs.get(0).fields())).hasSize(40);
  }

  @Test
  void tooManyFieldsAreAnErrorAndOnlyTheLimitIsKept() throws IOException {
    CsvLimits limits = new CsvLimits(100, 4);
    Path file = write(dir, "many.csv", "a,b,c\n" + "1,".repeat(999) + "1\n7,8,9\n");

    List<Rec> recs = read(file, limits);

    assertThat(recs).extracting(Rec::error)
        .containsExactly("expected 3 fields, found 1000 (more than the limit of 4)", null);
    assertThat(recs.get(0).fields()).hasSize(4);
    assertThat(recs.get(1).line()).isEqualTo(3);
  }

  @Test
  void extraColumnsAreNamedByNumber() throws IOException {
    Path file = write(dir, "x.csv", bytes("a,\n1,2,", 0, "\n"));

    assertThat(read(file)).extracting(Rec::error).containsExactly("field #3 contains a NUL byte");
  }

  @Test
  void lineNumbersStayRightAfterMultiLineFields() throws IOException {
    // Given: 100 rows, every third with a field of three lines
    StringBuilder csv = new StringBuilder("id,note\n");
    for (int i = 1; i <= 100; i++) {
      csv.append(i).append(',').append(i % 3 == 0 ? "\"a\nb\r\nc\"" : "plain").append('\n');
    }
    Path file = write(dir, "lines.csv", csv.toString());

    // When
    List<Rec> recs = read(file);

    // Then
    long line = 2;
    for (int i = 1; i <= 100; i++) {
      Rec rec = recs.get(i - 1);
      assertThat(rec.row()).isEqualTo(i);
      assertThat(rec.line()).as("row %d", i).isEqualTo(line);
      assertThat(rec.fields().get(0)).isEqualTo(Integer.toString(i));
      line += i % 3 == 0 ? 3 : 1;
    }
  }

  @Test
  void openChecksItsArguments() throws IOException {
    Path file = write(dir, "a.csv", "a,b\n1,2\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    assertThatThrownBy(() -> CsvReader.open(file, header, 0, 1, 1, CsvLimits.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CsvReader.open(file, header, 4, 0, 1, CsvLimits.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CsvReader.open(file, header, 4, 2, 0, CsvLimits.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void openingAtARecordStartsThere() throws IOException {
    Path file = write(dir, "s.csv", "a,b\n1,2\n\"3\n\",4\n5,6\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    try (CsvReader r = CsvReader.open(file, header, 8, 3, 2, CsvLimits.defaults())) {
      assertThat(r.next()).isTrue();
      assertThat(Rec.of(r)).isEqualTo(new Rec(2, 3, 8, 15, List.of("3\n", "4"), null));
      assertThat(r.next()).isTrue();
      assertThat(Rec.of(r)).isEqualTo(new Rec(3, 5, 15, 19, List.of("5", "6"), null));
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void closeReleasesTheFile() throws IOException {
    Path file = write(dir, "c.csv", "a,b\n1,2\n");
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());
    CsvReader r = CsvReader.open(file, header, header.dataOffset(), 2, 1, CsvLimits.defaults(), 2);

    r.close();

    assertThatThrownBy(r::next).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    Files.delete(file);
  }
}
