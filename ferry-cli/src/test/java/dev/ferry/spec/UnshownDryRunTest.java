package dev.ferry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.sources.CsvRecord;
import dev.ferry.steps.JobSteps;
import dev.ferry.steps.RenderedRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A dry run whose rendered requests nobody reads (no {@code --show-requests} sample: {@code --quiet}, {@code --json})
 * renders of each request only the templates that can fail (docs/ARCHITECTURE.md, "A dry run renders what can fail"):
 * every row's outcome is still the one a dry run that renders every request in full gives, error and message alike.
 */
class UnshownDryRunTest {
  private static final Map<String, String> ENV = Map.of("INPUT", "in.csv", "WORKOS_SECRET_KEY", "sk_test_abcdef",
      "CREATE_ORG_IF_MISSING", "true");
  private static final List<String> HEADER = List.of("email", "first_name", "last_name", "email_verified",
      "external_id", "org_id", "org_external_id", "org_name", "role_slugs", "metadata", "password", "password_hash",
      "password_hash_type", "ferry_secret_omitted");

  @Test
  void theBuiltInImportsRowsEndAsInAFullRender() throws Exception {
    JobSpec spec = SpecLoader.parse("workos-import.yaml", BuiltinSpecs.text("workos-import"), ENV, Path.of("/data"));
    List<String[]> rows = new ArrayList<>();
    Random random = new Random(1207);
    for (int i = 0; i < 3000; i++) rows.add(randomImportRow(random, i));
    List<String> outcomes = compare(spec, HEADER, rows);
    assertThat(outcomes).as("rows of each kind").contains("DONE", "INVALID email_invalid", "INVALID role_slugs_invalid",
        "INVALID metadata_invalid_json", "INVALID email_verified_invalid");
  }

  @Test
  void aRequestWhoseTemplatesCanFailFailsItsRowsAsInAFullRender() throws Exception {
    String text = """
        version: 1
        name: t
        source: { csv: { path: in.csv } }
        targets: { api: { base_url: "http://127.0.0.1:9", limits: none } }
        vars:
          tags: "{{ split(row.tags, ',') }}"
        steps:
          - name: put
            target: api
            request:
              method: PUT
              path: "/items/{{ row.id }}/{{ lower(vars.tags[0]) }}"
              query: { n: "{{ number(row.n) }}", plain: "{{ row.id }}" }
              headers: { X-Meta: "{{ json(json_parse(row.meta)) }}" }
              body: { id: "{{ row.id }}", n: "{{ number(row.n) }}", meta: "{{ json_parse(row.meta) }}",
                      list: ["{{ trim(row.id) }}", "{{ upper(vars.tags[0]) }}"] }
            idempotency_key: "put-{{ row.id }}"
        key: "{{ row.id }}"
        """;
    JobSpec spec = SpecLoader.parse("t.yaml", text, Map.of(), Path.of("/data"));
    List<String> header = List.of("id", "n", "meta", "tags");
    List<String> values = List.of("", "a", "a b", "ü", "12", "x1", "{\"k\":1}", "[1]", "{bad", "p,q", "[\"a\"]");
    Random random = new Random(7);
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String[] f = new String[header.size()];
      String[] good = {"id-" + i, "12", "{\"k\":1}", "p,q"};
      for (int k = 0; k < f.length; k++) {
        f[k] = random.nextInt(3) > 0 ? good[k] : values.get(random.nextInt(values.size()));
      }
      rows.add(random.nextInt(20) == 0 ? java.util.Arrays.copyOf(f, 2) : f); // a short row: missing columns
    }
    List<String> outcomes = compare(spec, header, rows);
    assertThat(outcomes).contains("DONE", "FAILED template");
  }

  /**
   * Runs every row through a dry run watched by a consumer of every request, one watched by nobody and one by a sample
   * that shows no more (every request only counted); returns the distinct outcomes (kind and code).
   */
  private static List<String> compare(JobSpec spec, List<String> header, List<String[]> rows) throws Exception {
    java.util.concurrent.atomic.AtomicLong rendered = new java.util.concurrent.atomic.AtomicLong();
    Consumer<RenderedRequest> watch = r -> rendered.incrementAndGet();
    java.util.concurrent.atomic.AtomicLong counted = new java.util.concurrent.atomic.AtomicLong();
    dev.ferry.steps.SampledRequests full = new dev.ferry.steps.SampledRequests() {
      @Override
      public boolean full() {
        return true;
      }

      @Override
      public void hidden(long row) {
        counted.incrementAndGet();
      }

      @Override
      public void accept(RenderedRequest r) {
        counted.incrementAndGet(); // a lookup's find call, rendered in full
      }
    };
    CsvRecord.Columns columns = CsvRecord.Columns.of(header);
    java.util.Set<String> kinds = new java.util.TreeSet<>();
    try (JobSteps watched = steps(spec, watch); JobSteps unshown = steps(spec, null);
        JobSteps sampled = steps(spec, full)) {
      for (int i = 0; i < rows.size(); i++) {
        RowInput in = new RowInput(i + 1, 0, i + 2, rows.get(i), null, new CsvRecord(columns, rows.get(i)));
        RowOutcome want = watched.processor().process(in);
        String row = "row " + String.join("|", rows.get(i));
        assertThat(unshown.processor().process(in)).as(row).isEqualTo(want);
        assertThat(sampled.processor().process(in)).as(row).isEqualTo(want);
        kinds.add(want.outcome() == Outcome.DONE ? "DONE" : want.outcome() + " " + want.code());
      }
    }
    assertThat(counted.get()).as("requests counted, not shown").isEqualTo(rendered.get()).isPositive();
    return new ArrayList<>(kinds);
  }

  private static JobSteps steps(JobSpec spec, Consumer<RenderedRequest> rendered) {
    return JobSteps.builder(spec.targets(), spec.steps()).jobId("dry-1").key(spec.key()).vars(spec.vars())
        .tables(spec.tables()).checks(spec.checks()).secretFields(spec.secretColumns())
        .reportedAs(spec.reporting().reportedAs()).secrets(spec.secretMask()).dryRun(true).redirectsStop(true)
        .onRendered(rendered).build();
  }

  private static String[] randomImportRow(Random random, int i) {
    String[][] choices = {
        {"u" + i + "@example.com", " u" + i + "@example.com ", "bad", "", "a@b", "x\"y@z.io"},
        {"Ada", "", " Grace ", "ünï"},
        {"Lovelace", ""},
        {"true", "", "YES", "0", "maybe"},
        {"ext-" + i, "", "x".repeat(65)},
        {"", "", "", "org_01"},
        {"org-" + (i % 7), "", ""},
        {"Org, Inc.", ""},
        {"member", "", "admin,member", "[\"a\",\"b\"]", "[bad", "no spaces allowed", "[1]"},
        {"", "", "", "{\"plan\":\"pro\"}", "{bad", "[1]", "{\"k\":1}"},
        {"", "", "hunter22"},
        {"", "", "$2b$10$abc"},
        {"", "", "bcrypt", "md5"},
        {"", "", "", "password"}};
    String[] f = new String[choices.length];
    for (int k = 0; k < f.length; k++) f[k] = choices[k][random.nextInt(choices[k].length)];
    return f;
  }
}
