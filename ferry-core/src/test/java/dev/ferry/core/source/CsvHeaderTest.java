package dev.ferry.core.source;

import static dev.ferry.core.source.TestCsv.bytes;
import static dev.ferry.core.source.TestCsv.readAll;
import static dev.ferry.core.source.TestCsv.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.core.source.TestCsv.Rec;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvHeaderTest {
  @TempDir
  Path dir;

  private CsvFormatException headerProblem(Path file) {
    for (int size : new int[] {1, 2, 5, CsvReader.DEFAULT_BUFFER_SIZE}) {
      assertThatThrownBy(() -> CsvReader.readHeader(file, CsvLimits.defaults(), size))
          .isInstanceOf(CsvFormatException.class);
    }
    return catchThrowableOfType(CsvFormatException.class,
        () -> CsvReader.readHeader(file, CsvLimits.defaults()));
  }

  @Test
  void anEmptyFileHasNoHeader() throws IOException {
    Path file = write(dir, "users.csv", "");

    CsvFormatException e = headerProblem(file);

    assertThat(e.getMessage()).isEqualTo(file + ":1: no header row (the file is empty)");
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.problem()).isEqualTo("no header row (the file is empty)");
  }

  @Test
  void aFileWithOnlyAByteOrderMarkIsEmpty() throws IOException {
    Path file = write(dir, "bom.csv", bytes(0xEF, 0xBB, 0xBF));

    assertThat(headerProblem(file).problem()).isEqualTo("no header row (the file is empty)");
  }

  @Test
  void aBlankFirstLineIsAMissingHeader() throws IOException {
    Path file = write(dir, "blank.csv", "\nemail,name\na,b\n");

    assertThat(headerProblem(file).getMessage()).isEqualTo(file + ":1: no header row (the first line is blank)");
  }

  @Test
  void aHeaderWithoutNamesIsAMissingHeader() throws IOException {
    Path file = write(dir, "commas.csv", " , ,\n1,2,3\n");

    assertThat(headerProblem(file).problem()).isEqualTo("no header row (the first line has no column names)");
  }

  @Test
  void duplicateColumnsAreNamedBoth() throws IOException {
    Path file = write(dir, "dup.csv", "email,name, Email \n");

    assertThat(headerProblem(file).getMessage())
        .isEqualTo(file + ":1: duplicate column names 'email' (column 1) and 'Email' (column 3)");
  }

  @Test
  void severalNamelessColumnsAreNotDuplicates() throws IOException {
    Path file = write(dir, "trailing.csv", "a,b,,\n1,2,,\n");

    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    assertThat(header.columns()).containsExactly("a", "b", "", "");
  }

  @Test
  void aHeaderThatIsNotUtf8IsFatal() throws IOException {
    Path file = write(dir, "latin1.csv", bytes("email,pr", 0xE9, "nom\n"));

    assertThat(headerProblem(file).getMessage()).isEqualTo(file + ":1: header column 2 is not valid UTF-8");
  }

  @Test
  void aHeaderWithAnUnterminatedQuoteIsFatal() throws IOException {
    Path file = write(dir, "open.csv", "email,\"name\n1,2\n");

    assertThat(headerProblem(file).getMessage())
        .isEqualTo(file + ":1: header has an unterminated quoted field starting on line 1");
  }

  @Test
  void otherHeaderProblemsAreFatal() throws IOException {
    assertThat(headerProblem(write(dir, "q.csv", "\"a\"b,c\n")).problem())
        .isEqualTo("unexpected character after closing quote in header column 1");
    assertThat(headerProblem(write(dir, "nul.csv", bytes("a,b", 0, "\n"))).problem())
        .isEqualTo("header column 2 contains a NUL byte");
    assertThatThrownBy(() -> CsvReader.readHeader(write(dir, "wide.csv", "a,b,c\n"), new CsvLimits(10, 2)))
        .hasMessageEndingWith(":1: header has 3 columns, more than the limit of 2");
    assertThatThrownBy(() -> CsvReader.readHeader(write(dir, "long.csv", "abcdef,b\n"), new CsvLimits(5, 2)))
        .hasMessageEndingWith(":1: header column 1 is longer than 5 bytes");
  }

  @Test
  void aMissingFileIsAnIoError() {
    assertThatThrownBy(() -> CsvReader.readHeader(dir.resolve("nope.csv"), CsvLimits.defaults()))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void theByteOrderMarkIsSkippedAndNamesAreTrimmed() throws IOException {
    // Given
    Path file = write(dir, "bom.csv", bytes(0xEF, 0xBB, 0xBF, " Email , First Name,\"last\"\r\nA@x.io,Ann,Lee\r\n"));

    // When
    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    // Then
    assertThat(header).isEqualTo(new CsvHeader(List.of("Email", "First Name", "last"), 31, 2, true));
    assertThat(header.indexOf("email")).isZero();
    assertThat(header.indexOf(" FIRST NAME ")).isEqualTo(1);
    assertThat(header.indexOf("Last")).isEqualTo(2);
    assertThat(header.indexOf("phone")).isEqualTo(-1);
    assertThat(readAll(file)).containsExactly(new Rec(1, 2, 31, 47, List.of("A@x.io", "Ann", "Lee"), null));
  }

  @Test
  void withoutAByteOrderMarkTheHeaderStartsAtZero() throws IOException {
    Path file = write(dir, "plain.csv", "a,b\n");

    assertThat(CsvReader.readHeader(file, CsvLimits.defaults())).isEqualTo(new CsvHeader(List.of("a", "b"), 4, 2,
        false));
  }

  @Test
  void aHeaderOnlyFileHasNoRows() throws IOException {
    Path withNewline = write(dir, "h1.csv", "a,b\n\n\n");
    Path withoutNewline = write(dir, "h2.csv", "a,b");

    assertThat(readAll(withNewline)).isEmpty();
    assertThat(readAll(withoutNewline)).isEmpty();
    assertThat(CsvReader.readHeader(withoutNewline, CsvLimits.defaults()))
        .isEqualTo(new CsvHeader(List.of("a", "b"), 3, 1, false));
  }

  @Test
  void aMultiLineHeaderMovesTheDataStart() throws IOException {
    Path file = write(dir, "ml.csv", "\"first\nname\",b\r\n1,2\n");

    CsvHeader header = CsvReader.readHeader(file, CsvLimits.defaults());

    assertThat(header).isEqualTo(new CsvHeader(List.of("first\nname", "b"), 16, 3, false));
    assertThat(readAll(file)).containsExactly(new Rec(1, 3, 16, 20, List.of("1", "2"), null));
  }

  @Test
  void headerAndLimitsCheckTheirArguments() {
    assertThatThrownBy(() -> new CsvHeader(List.of(), 0, 1, false)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CsvHeader(List.of("a"), -1, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CsvLimits(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CsvLimits(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(CsvLimits.defaults()).isEqualTo(new CsvLimits(1 << 20, 1024));
    assertThat(CsvLimits.defaults().maxRecordBytes()).isEqualTo(4 << 20);
  }
}
