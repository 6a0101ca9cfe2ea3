package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import dev.ferry.sim.SimStats;
import dev.ferry.testing.Repo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of the bad-input corpus ({@code src/test/resources/bad-input/expected.json}) through the CLI
 * in this process: in {@code --dry-run} mode, and for the cases marked {@code sim} also against the simulator.
 * Fatal cases must exit 2 with one line naming the file and line; row-level cases must end as {@code invalid}
 * rows with their line and reason while the job goes on.
 */
class BadInputCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk_test_corpus";
  private static SimServer sim;

  @BeforeAll
  static void startSimulator() {
    sim = SimServer.start(SimConfig.builder().requiredKey(KEY).build());
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  static Path corpus() throws URISyntaxException {
    return Path.of(BadInputCorpusTest.class.getResource("/bad-input/expected.json").toURI()).getParent();
  }

  static List<JsonNode> cases() throws IOException, URISyntaxException {
    List<JsonNode> cases = new ArrayList<>();
    JSON.readTree(corpus().resolve("expected.json").toFile()).path("cases").forEach(cases::add);
    return cases;
  }

  static Stream<Arguments> dryRunCases() throws Exception {
    return cases().stream().map(c -> Arguments.of(c.path("case").asText(), c));
  }

  static Stream<Arguments> simCases() throws Exception {
    return cases().stream().filter(c -> c.path("sim").asBoolean()).map(c -> Arguments.of(c.path("case").asText(), c));
  }

  @Test
  void theCorpusHasAtLeastThirtyCasesAndEveryFileIsUsed() throws Exception {
    List<JsonNode> cases = cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
    List<String> names = cases.stream().map(c -> c.path("case").asText()).toList();
    assertThat(names).doesNotHaveDuplicates();
    try (Stream<Path> files = Files.list(corpus())) {
      for (Path f : files.toList()) {
        String file = f.getFileName().toString();
        if (file.equals("expected.json") || file.startsWith(".")) continue;
        assertThat(names).as("case for " + file).anyMatch(n -> file.startsWith(n + "."));
      }
    }
  }

  @Test
  void theDocsListEveryCase() throws Exception {
    String docs = Files.readString(Repo.path("docs/csv-input.md"));
    assertThat(docs).contains("## Bad input");
    for (JsonNode c : cases()) assertThat(docs).as("docs/csv-input.md names the case").contains(c.path("case").asText());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dryRunCases")
  void dryRun(String name, JsonNode c, @TempDir Path tmp) throws Exception {
    // Given: the corpus copied to a fresh folder
    Path input = prepare(c, tmp);

    // When: the case runs as a dry run
    List<String> args = args(c, tmp, input);
    args.add("--dry-run");
    CliRun run = CliRun.run(Map.of(), args);

    // Then
    check(c, run, tmp, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("simCases")
  void againstTheSimulator(String name, JsonNode c, @TempDir Path tmp) throws Exception {
    // Given
    Path input = prepare(c, tmp);
    sim.reset();

    // When: the case runs against the simulator for real
    List<String> args = args(c, tmp, input);
    args.addAll(List.of("--api-url", sim.baseUrl().toString()));
    CliRun run = CliRun.run(Map.of(ApiKeys.ENV, KEY), args);

    // Then: the same outcomes, and the simulator holds exactly the done rows
    check(c, run, tmp, true);
    SimStats stats = sim.stats();
    assertThat(stats.users()).as("users created").isEqualTo(c.path("done").asLong());
    assertThat(stats.duplicateCreations()).isZero();
  }

  private static Path prepare(JsonNode c, Path tmp) throws Exception {
    try (Stream<Path> files = Files.list(corpus())) {
      for (Path f : files.toList()) Files.copy(f, tmp.resolve(f.getFileName()));
    }
    String name = c.path("case").asText();
    switch (c.path("generate").asText("")) {
      case "huge-field" -> {
        Path file = tmp.resolve(name + ".csv");
        try (OutputStream o = Files.newOutputStream(file)) {
          o.write("email,first_name\nann@example.com,Ann\nbob@example.com,".getBytes(StandardCharsets.US_ASCII));
          byte[] block = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII); // 64 KiB
          for (int i = 0; i < 160; i++) o.write(block); // 10 MiB
          o.write("\ncid@example.com,Cid\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
      }
      case "directory" -> {
        return Files.createDirectory(tmp.resolve(name));
      }
      case "missing" -> {
        return tmp.resolve(name + ".csv");
      }
      default -> {
        return tmp.resolve(c.path("input").asText(name + ".csv"));
      }
    }
  }

  private static List<String> args(JsonNode c, Path tmp, Path input) {
    List<String> args = new ArrayList<>(List.of("import-users", "--csv", input.toString(), "--job-id", "corpus",
        "--quiet", "--checkpoint-dir", tmp.resolve(".ferry").toString(), "--report-json",
        tmp.resolve("report.json").toString(), "--errors-out", tmp.resolve("errors.csv").toString()));
    c.path("flags").forEach(f -> args.add(f.asText().replace("${dir}", tmp.toString())));
    return args;
  }

  private static void check(JsonNode c, CliRun run, Path tmp, boolean sim) throws IOException {
    int exit = c.path("exit").asInt();
    assertThat(run.exit()).as(run.toString()).isEqualTo(exit);
    if (exit == 2) {
      // one line, naming the file and the line (and the field where there is one)
      assertThat(run.errLines()).as(run.toString()).hasSize(1);
      assertThat(run.errLines().get(0)).startsWith("ferry: ").containsPattern(c.path("message").asText());
      assertThat(run.out()).isEmpty();
      return;
    }
    if (c.has("stderr")) assertThat(run.err()).containsPattern(Pattern.compile(c.path("stderr").asText()));
    JsonNode report = JSON.readTree(tmp.resolve("report.json").toFile());
    assertThat(report.path("status").asText()).isEqualTo("finished");
    assertThat(report.path("equation_holds").asBoolean()).isTrue();
    assertThat(List.of(report.path("done").asLong(), report.path("failed").asLong(), report.path("invalid").asLong()))
        .as("done, failed, invalid").containsExactly(c.path("done").asLong(), c.path("failed").asLong(),
            c.path("invalid").asLong());
    Map<Long, String> expected = new TreeMap<>();
    c.path("invalidRows").forEach(r -> expected.put(r.path("line").asLong(), r.path("reason").asText()));
    Map<Long, String> actual = invalidRows(tmp.resolve("errors.csv"));
    assertThat(actual.keySet()).as("lines of invalid rows in the errors file").containsExactlyElementsOf(expected.keySet());
    expected.forEach((line, reason) -> assertThat(actual.get(line)).as("reason on line " + line).contains(reason));
  }

  /** line -> message of the invalid rows in an errors file (the file is read with ferry's own CSV reader). */
  static Map<Long, String> invalidRows(Path errors) throws IOException {
    Map<Long, String> rows = new TreeMap<>();
    if (!Files.exists(errors)) return rows;
    dev.ferry.core.source.CsvHeader header = dev.ferry.core.source.CsvReader.readHeader(errors,
        dev.ferry.core.source.CsvLimits.defaults());
    try (dev.ferry.core.source.CsvReader r = dev.ferry.core.source.CsvReader.open(errors, header, header.dataOffset(),
        header.dataFirstLine(), 1, dev.ferry.core.source.CsvLimits.defaults())) {
      while (r.next()) {
        assertThat(r.error()).as("errors file row " + r.row()).isNull();
        if (r.field(header.indexOf("ferry_step")).equals("validate")) {
          rows.put(Long.parseLong(r.field(header.indexOf("ferry_line"))), r.field(header.indexOf("ferry_message")));
        }
      }
    }
    return rows;
  }
}
