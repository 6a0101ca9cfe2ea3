package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Template#cannotFail}, {@link Template#scalar} and {@link Template#visibleAsciiBounds}, what a dry run relies
 * on to leave templates of unread requests unrendered: every template of {@link CompiledTest}'s corpus (and more) that
 * the analysis calls unfailing renders without an error over many rows of text fields, in every form; its scalar
 * values are scalars; a key's text stays within its bounds and visible ASCII.
 */
class CannotFailTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 3, 1);
  private static final Map<String, Object> JOB = Map.of("id", "job-7");
  /** The vars of {@link #context}: which are scalars. */
  private static final Facts FACTS = new Facts(true, Set.of("n", "d", "big", "s"), JOB);
  private static final List<String> MORE = List.of("{{ trim(row.a) }}{{ lower(row.b) }}",
      "{{ if(length(vars.s) == 0, null, matches(vars.s, '^(true|yes|1|y|t)$')) }}", "{{ default(row.a, vars.list) }}",
      "{{ lower(default(row.a, vars.list)) }}", "{{ lower(if(row.a, vars.s, vars.n)) }}", "{{ upper(vars.list[0]) }}",
      "{{ starts_with(row.a, row.b) }}", "{{ starts_with(row.a, vars.map) }}", "{{ vars.nope }}",
      "{{ trim(vars.nope) }}", "{{ json(tables.t) }}", "{{ length(tables.t[row.a]) }}", "/orgs/{{ vars.n }}",
      "{{ lower(string(vars.list)) }}", "{{ {a: trim(row.a)} }}", "{{ [trim(vars.list)] }}");

  @Test
  void aTemplateCalledUnfailingNeverFailsOverRowsOfText() {
    Random random = new Random(20261207);
    List<RenderContext> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) rows.add(context(random, i));
    List<String> all = new ArrayList<>(CompiledTest.TEMPLATES);
    all.addAll(MORE);
    int unfailing = 0;
    for (String text : all) {
      Template t = Template.parse(text, AT);
      if (!t.cannotFail(FACTS)) continue;
      unfailing++;
      for (RenderContext ctx : rows) {
        String where = "'" + text + "' over " + ctx.root(RenderContext.ROW) + ", vars " + ctx.root(RenderContext.VARS);
        assertThatCode(() -> {
          Object v = t.render(ctx);
          if (t.scalar(FACTS)) assertThat(Compiled.isScalar(v)).as(where + ": a scalar, was " + v).isTrue();
          t.renderText(ctx);
          t.renderCondition(ctx);
          t.renderEscaped(ctx, s -> s);
        }).as(where).doesNotThrowAnyException();
      }
    }
    assertThat(unfailing).as("templates proven unfailing").isGreaterThan(40);
  }

  @Test
  void whatCanFailIsNotCalledUnfailing() {
    for (String text : List.of("{{ json_parse(row.a) }}", "{{ number(row.a) }}", "{{ keys(vars.map) }}",
        "{{ split(row.a, ',') }}", "{{ lower(vars.list) }}", "{{ trim(vars.map) }}", "{{ trim(steps.find.id) }}",
        "{{ matches(row.a, row.b) }}", "{{ matches(vars.list, 'x') }}", "{{ batch.size }}", "{{ batch.each(row.a) }}",
        "{{ tokens(row.a) }}", "{{ max_length(vars.list) }}", "{{ lower(tables.t[row.a]) }}",
        "{{ if(row.a, 'x', json_parse(row.b)) }}", "{{ row.a || trim(vars.map) }}", "x {{ uuid5(vars.list) }}",
        "{{ starts_with(row.a, vars.list) }}", "{{ lower(default(row.a, vars.list)) }}")) {
      assertThat(Template.parse(text, AT).cannotFail(FACTS)).as(text).isFalse();
    }
    // rows whose fields may be anything (JSONL): row.a may be a list
    assertThat(Template.parse("{{ trim(row.a) }}", AT).cannotFail(new Facts(false, Set.of(), JOB))).isFalse();
    assertThat(Template.parse("{{ row.a.b }}", AT).cannotFail(new Facts(false, Set.of(), JOB))).isTrue();
  }

  @Test
  void theBuiltInImportsRequestValuesAreUnfailingButTheMetadata() {
    Facts f = Facts.ofTextRows(Map.of(), JOB);
    for (String text : List.of("{{ trim(row.email) }}", "{{ row.password }}",
        "{{ default(steps.org_by_id.id, steps.org.id) }}", "{{ steps.user.id }}")) {
      assertThat(Template.parse(text, AT).cannotFail(f)).as(text).isTrue();
    }
    assertThat(Template.parse("{{ json_parse(row.metadata) }}", AT).cannotFail(f)).isFalse();
  }

  @Test
  void varsAreScalarWhenTheirTemplatesAreOverTheVarsAboveThem() {
    Map<String, Template> vars = new LinkedHashMap<>();
    for (String[] v : new String[][] {{"a", "{{ lower(trim(row.x)) }}"}, {"b", "{{ split(row.y, ',') }}"},
        {"c", "{{ vars.a }}"}, {"d", "{{ vars.e }}"}, {"e", "plain"}, {"f", "{{ if(vars.a, vars.b, null) }}"},
        {"g", "{{ tables.t[row.x] }}"}, {"h", "x{{ vars.b }}"}, {"i", "${X}"}}) {
      vars.put(v[0], Template.parse(v[1], AT));
    }
    assertThat(Facts.ofTextRows(vars, JOB).scalarVars()).containsExactlyInAnyOrder("a", "c", "e", "h", "i");
  }

  @Test
  void aKeysBoundsHoldItsTextWhenItIsVisibleAscii() {
    Template key = Template.parse("ferry-{{ job.id }}-{{ source.row }}-user", AT);
    int[] b = key.visibleAsciiBounds(FACTS);
    assertThat(b).containsExactly("ferry-job-7--user".length() + 1, "ferry-job-7--user".length() + 20);
    Map<String, Object> place = new LinkedHashMap<>();
    for (long row : new long[] {0, 1, 99, Long.MAX_VALUE}) {
      place.put("row", row);
      place.put("line", row + 1);
      String text = key.renderText(RenderContext.of(Map.of(), Map.of(), JOB, place, Map.of(), Map.of()));
      assertThat(text.length()).isBetween(b[0], b[1]);
    }
    assertThat(Template.parse("{{ source.line }}", AT).visibleAsciiBounds(FACTS)).containsExactly(1, 20);
    assertThat(Template.parse("k-{{ row.a }}", AT).visibleAsciiBounds(FACTS)).isNull();
    assertThat(Template.parse("a b-{{ source.row }}", AT).visibleAsciiBounds(FACTS)).isNull();
    assertThat(Template.parse("{{ source.other }}", AT).visibleAsciiBounds(FACTS)).isNull();
    assertThat(Template.parse("{{ job.id }}", AT).visibleAsciiBounds(new Facts(true, Set.of(), Map.of("id", "a b"))))
        .isNull();
    assertThat(Template.parse("", AT).visibleAsciiBounds(FACTS)).containsExactly(0, 0);
  }

  /** A row of text fields (strings, missing or null), and vars as {@link #FACTS} says. */
  private static RenderContext context(Random random, int n) {
    List<String> texts = List.of("", " ", "x", " Ab c ", "true", "FALSE", "12", "-4.5", "[\"a\", \"b\"]", "a, b,, c",
        "{\"k\":\"v\"}", "{bad", "ünïcödé", "emoji 😀 \uD83D", "a\"b\\c\n\t\u0001/", "\u2003wide\u2003", "user@x.io");
    Map<String, Object> record = new LinkedHashMap<>();
    for (String f : List.of("a", "b", "c", "u", "l", "none")) {
      int k = random.nextInt(texts.size() + 2);
      if (k == texts.size()) continue; // missing
      record.put(f, k > texts.size() ? null : texts.get(k));
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("list", random.nextBoolean() ? new ArrayList<>(List.of("p", "q")) : List.of(Map.of("k", 1L)));
    vars.put("map", random.nextBoolean() ? new LinkedHashMap<>(Map.of("k", "v\"1")) : Map.of());
    vars.put("n", random.nextBoolean() ? 3L : (Object) 3.0);
    vars.put("d", random.nextBoolean() ? 2.5 : null);
    vars.put("big", random.nextBoolean() ? Long.MAX_VALUE : (Object) true);
    vars.put("s", random.nextBoolean() ? " TRUE " : "no");
    Object found = switch (random.nextInt(3)) {
      case 0 -> "f-" + n;
      case 1 -> List.of("x");
      default -> Map.of("deep", n);
    };
    Map<String, Object> steps = random.nextBoolean() ? Map.of() : Map.of("find", Map.of("id", found));
    Map<String, Object> tables = Map.of("t", Map.of("x", "mapped", "k", List.of("a")));
    return RenderContext.of(record, steps, JOB, Map.of("row", (long) n, "line", n + 1L), vars, tables);
  }
}
