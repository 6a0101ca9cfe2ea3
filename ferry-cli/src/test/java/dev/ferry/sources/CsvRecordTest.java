package dev.ferry.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.source.ChunkPlan;
import dev.ferry.steps.template.JsonText;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV row's {@link CsvRecord} is, as a map and to templates, the LinkedHashMap the source built before it (each
 * column's name put with its field, in header order): short rows, long rows,
 * names given twice (which a CSV header refuses today, but the map does not rely on it).
 */
class CsvRecordTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);

  /** The record as the source made it before: a LinkedHashMap filled in header order. */
  private static Map<String, Object> linked(List<String> header, String[] fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < header.size() && i < fields.length; i++) m.put(header.get(i), fields[i]);
    return m;
  }

  private static void assertSame(List<String> header, CsvRecord record, Map<String, Object> linked) {
    String what = header + " " + linked;
    assertThat(record).as(what).isEqualTo(linked);
    assertThat(record.size()).as(what).isEqualTo(linked.size());
    assertThat(record.hashCode()).as(what).isEqualTo(linked.hashCode());
    assertThat(record.toString()).as(what).isEqualTo(linked.toString());
    assertThat(new ArrayList<>(record.keySet())).as(what).isEqualTo(new ArrayList<>(linked.keySet()));
    assertThat(new ArrayList<>(record.values())).as(what).isEqualTo(new ArrayList<>(linked.values()));
    assertThat(JsonText.write(record)).as(what).isEqualTo(JsonText.write(linked));
    List<String> names = new ArrayList<>(header);
    names.addAll(List.of("nope", ""));
    RenderContext overRecord = RenderContext.ofRow(record, Map.of(), Map.of());
    RenderContext overLinked = RenderContext.ofRow(linked, Map.of(), Map.of());
    for (String n : names) {
      assertThat(record.get(n)).as(what + " " + n).isEqualTo(linked.get(n));
      assertThat(record.containsKey(n)).as(what + " " + n).isEqualTo(linked.containsKey(n));
      if (!n.matches("[a-z_]+")) continue;
      for (String text : List.of("{{ row." + n + " }}", "{{ trim(row." + n + ") }}", "{{ length(row." + n + ") }}",
          "{{ row['" + n + "'] }}", "{{ default(row." + n + ", 'none') }}")) {
        Template t = Template.parse(text, AT);
        for (int twice = 0; twice < 2; twice++) { // the compiled read remembers its index: the second time too
          assertThat(t.render(overRecord)).as(what + " " + text).isEqualTo(t.render(overLinked));
        }
      }
    }
    for (String text : List.of("{{ row }}", "{{ keys(row) }}", "{{ values(row) }}", "{{ length(row) }}",
        "{{ json(row) }}")) {
      Template t = Template.parse(text, AT);
      assertThat(t.render(overRecord)).as(what + " " + text).isEqualTo(t.render(overLinked));
    }
  }

  @Test
  void isTheLinkedHashMapOfItsRowForShortLongAndDuplicateColumns() {
    Random random = new Random(12);
    List<String> pool = List.of("email", "a", "b", "org_id", "email", "a");
    for (int round = 0; round < 300; round++) {
      List<String> header = new ArrayList<>();
      int width = 1 + random.nextInt(6);
      for (int i = 0; i < width; i++) header.add(pool.get(random.nextInt(pool.size())));
      CsvRecord.Columns columns = new CsvRecord.Columns(header);
      for (int n = 0; n <= width + 2; n++) { // missing columns, exactly the header, extra fields
        String[] fields = new String[n];
        for (int i = 0; i < n; i++) fields[i] = random.nextInt(4) == 0 ? "" : " v" + i + "-" + random.nextInt(9) + " ";
        assertSame(header, new CsvRecord(columns, fields), linked(header, fields));
      }
    }
  }

  @Test
  void aCompiledReadFollowsTheColumnsOfEachFile() {
    CsvRecord first = new CsvRecord(new CsvRecord.Columns(List.of("a", "b")), new String[] {"1", "2"});
    CsvRecord other = new CsvRecord(new CsvRecord.Columns(List.of("b", "a", "b")), new String[] {"B", "A", "B2"});
    Template t = Template.parse("{{ row.b }}", AT);
    for (int i = 0; i < 3; i++) {
      assertThat(t.render(RenderContext.ofRow(first, Map.of(), Map.of()))).isEqualTo("2");
      assertThat(t.render(RenderContext.ofRow(other, Map.of(), Map.of()))).isEqualTo("B2");
      assertThat(t.render(RenderContext.ofRow(Map.of("b", "m"), Map.of(), Map.of()))).isEqualTo("m");
    }
    assertThatThrownBy(() -> first.put("a", "x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theSourceHandsTheSameRecordsWhenPlanningAndRunning(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("in.csv");
    Files.writeString(csv, "email,name,org\nx@e.com,X,y@e.com\nshort@e.com\nl@e.com,L,m@e.com,extra\n\"q\"\"@e.com\",,\n");
    List<String> header = List.of("email", "name", "org");
    CsvRecordSource source = new CsvRecordSource(csv);
    List<RowInput> planned = new ArrayList<>();
    ChunkPlan plan = source.plan(2, r -> {
      CsvRecord visited = (CsvRecord) r.record();
      // read during its visit, the record is what its copy is (a copy is what to keep)
      CsvRecord kept = visited.copy();
      assertSame(header, visited, new LinkedHashMap<>(kept));
      assertThat(r.fields()).isEmpty();
      planned.add(new RowInput(r.row(), r.chunk(), r.line(), kept.values().toArray(String[]::new), r.error(), kept));
    });
    List<RowInput> read = new ArrayList<>();
    for (var chunk : plan.chunks()) {
      try (var cursor = source.chunks().open(chunk)) {
        for (RowInput r = cursor.next(); r != null; r = cursor.next()) read.add(r);
      }
    }
    assertThat(planned).hasSize(4);
    assertThat(read).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(planned.get(i).record()).isInstanceOf(CsvRecord.class);
      assertSame(header, (CsvRecord) planned.get(i).record(), linked(header, planned.get(i).fields()));
      assertSame(header, (CsvRecord) read.get(i).record(), linked(header, read.get(i).fields()));
      assertThat(read.get(i).record()).isEqualTo(planned.get(i).record());
    }
    assertThat(planned.get(0).record()).isEqualTo(Map.of("email", "x@e.com", "name", "X", "org", "y@e.com"));
    assertThat(planned.get(1).record()).isEqualTo(Map.of("email", "short@e.com"));
    assertThat(planned.get(2).record()).isEqualTo(Map.of("email", "l@e.com", "name", "L", "org", "m@e.com"));
  }

  @Test
  void aPlanningRecordReadsOnlyDuringItsVisitAndFailsLoudlyAfter(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("in.csv");
    Files.writeString(csv, "email,name\na@e.com,A\nb@e.com,B,extra\n\"broken\n");
    CsvRecordSource source = new CsvRecordSource(csv);
    List<CsvRecord> visited = new ArrayList<>();
    List<CsvRecord> copies = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    source.plan(10, r -> {
      CsvRecord record = (CsvRecord) r.record();
      visited.add(record);
      copies.add(record.copy());
      errors.add(r.error());
      // during the visit: the row's own fields, read when asked
      assertThat(record.get("email")).isEqualTo(List.of("a@e.com", "b@e.com", "broken\n").get(visited.size() - 1));
    });
    assertThat(visited).hasSize(3);
    // the rows read after their visits: refused, not the fields of another row
    for (CsvRecord late : visited) {
      assertThatThrownBy(() -> late.get("email")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("after its row's visit ended");
      assertThatThrownBy(late::size).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(late::copy).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> late.containsKey("name")).isInstanceOf(IllegalStateException.class);
      Template t = Template.parse("{{ row.email }}", AT);
      assertThatThrownBy(() -> t.render(RenderContext.ofRow(late, Map.of(), Map.of())))
          .isInstanceOf(IllegalStateException.class);
    }
    // copies keep the rows: a long row's extra field is not a column, an error row keeps what was read
    assertThat(copies.get(0)).isEqualTo(Map.of("email", "a@e.com", "name", "A"));
    assertThat(copies.get(1)).isEqualTo(Map.of("email", "b@e.com", "name", "B"));
    assertThat(copies.get(2)).isEqualTo(Map.of("email", "broken\n"));
    assertThat(errors.get(0)).isNull();
    assertThat(errors.get(1)).isEqualTo("expected 2 fields, found 3");
    assertThat(errors.get(2)).startsWith("unterminated quoted field");
  }

  @Test
  void aPlanningRowHasItsFieldsOnlyAsItsRecord(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("in.csv");
    Files.writeString(csv, "email,org\na@e.com,o1\n");
    List<Object> read = new ArrayList<>();
    new CsvRecordSource(csv).plan(10, r -> {
      read.add(r.record().get("org"));
      assertThat(r.fields()).isEmpty(); // the record is the row's only view of its fields while planning
    });
    assertThat(read).containsExactly("o1");
  }
}
