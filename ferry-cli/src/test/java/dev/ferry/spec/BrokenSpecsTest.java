package dev.ferry.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of broken specs (src/test/resources/specs/broken): each file says in '# expect:' lines the errors it
 * must get, as file:line:col: field: message.
 */
class BrokenSpecsTest {
  static final Path CORPUS = Path.of("src/test/resources/specs/broken");

  static Stream<Path> corpus() throws IOException {
    return Files.list(CORPUS).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  static List<String> expectations(Path spec) throws IOException {
    return Files.readAllLines(spec).stream().filter(l -> l.startsWith("# expect: "))
        .map(l -> l.substring("# expect: ".length())).toList();
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void everyErrorIsNamedWithItsPlace(Path spec) throws IOException {
    List<String> expected = expectations(spec);
    assertThat(expected).as("the corpus file says what it expects").isNotEmpty();
    InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
        () -> SpecLoader.parse(spec.getFileName().toString(), Files.readString(spec), Map.of(), Path.of("/tmp")));
    assertThat(e).as(spec.toString()).isNotNull();
    List<String> got = e.errors().stream().map(SpecError::toString).toList();
    for (String want : expected) assertThat(got).as("errors of " + spec).anyMatch(g -> g.startsWith(want));
    assertThat(got).hasSize(expected.size());
    assertThat(e.getMessage()).doesNotContain("sk-live");
  }
}
