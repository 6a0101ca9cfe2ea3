package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The compiled form of templates ({@link Compiled}, {@link Segments#render}) against the parsed tree it comes from
 * ({@link Template#interpret}): every template below, over many rows (missing, empty, nested, numeric, boolean, list,
 * object and unicode values, text with quotes, backslashes and control characters), renders the same value, the same
 * text, the same condition and the same escaped text, or fails with the same message at the same place.
 */
class CompiledTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 7, 5);

  /** Templates of every node and function, and the built-in workos-import spec's own shapes. */
  static final List<String> TEMPLATES = List.of(
      "{{ row.a }}", "  {{ row.b }} ", "{{ trim(row.a) }}", "{{ trim(row.l) }}", "{{ row.missing.deep[2] }}",
      "{{ row }}", "{{ vars }}", "{{ steps.find.id }}", "{{ steps.nope.id }}", "{{ steps['find']['id'] }}",
      "{{ vars.list[0] }}", "{{ vars.list[-1] }}", "{{ vars.list[9] }}", "{{ vars.list['0'] }}", "{{ vars.map.k }}",
      "{{ vars.map[row.a] }}", "{{ vars.map[0] }}", "{{ vars.n }}", "{{ vars.d }}", "{{ vars.big }}",
      "x {{ vars.n }} y {{ vars.d }} z {{ vars.map }} {{ vars.list }} {{ row.none }}", "plain text", "",
      "{{ 'lit' }}", "{{ 1.5 }}", "{{ -3 }}", "{{ true }}", "{{ null }}", "a{{ row.a }}", "{{ row.a }}{{ row.b }}",
      "{{ length(row.a) != 0 }}", "{{ length(row.a) == 0 }}", "{{ length(vars.list) == 0.0 }}",
      "{{ length(vars.map) != 0 }}", "{{ length(vars.n) == 0 }}", "{{ length(row.a) == 1 }}", "{{ length(row.u) }}",
      "{{ matches(row.a, '^[a-z]+$') }}", "{{ matches(trim(row.a), '(?s)^.{0,5}$') }}",
      "{{ matches(row.a, row.b) }}", "{{ matches(vars.list, 'x') }}", "{{ matches(vars.n, '^[0-9]+$') }}",
      "{{ matches(row.none, '^(|a|b)$') }}", "{{ matches(lower(row.u), '^(x|y)$') }}",
      "{{ matches(row.none, '^a*+$') }}", "{{ matches(lower(trim(row.c)), '^(?:\\\\.[a-z]*+)++$') }}",
      "{{ if(row.a, row.b, 'no') }}", "{{ if(length(row.a) == 0, null, matches(row.a, '^(true|yes)$')) }}",
      "{{ if(row.c, json_parse(row.a), row.a) }}", "{{ default(trim(row.a), 'd') }}", "{{ default(row.a, row.b) }}",
      "{{ json(vars.map) }}", "{{ json(row.a) }}", "{{ json(vars.list) }}", "{{ json_parse(row.a) }}",
      "{{ json_parse(row.b) != null }}", "{{ keys(json_parse(row.a)) }}", "{{ values(json_parse(row.a)) }}",
      "{{ keys(vars.list) }}", "{{ split(row.a, ',') }}", "{{ split(vars.list, ',') }}", "{{ split(row.a, '') }}",
      "{{ !row.a }}", "{{ !!row.c }}", "{{ row.a == row.b }}", "{{ row.a != 'x' }}", "{{ 1 == 1.0 }}",
      "{{ vars.n == 3 }}", "{{ vars.list == ['p', 'q'] }}", "{{ [row.a, vars.n, [row.b]] }}",
      "{{ {a: row.a, b: [1, 2], c: {d: row.none}} }}", "{{ lower(vars.list) }}", "{{ upper(row.a) }}",
      "{{ lower(row.u) }}", "{{ string(vars.d) }}", "{{ string(vars.map) }}", "{{ number(row.a) }}",
      "{{ number(vars.n) }}", "{{ uuid5(row.a) }}", "{{ bytes(row.u) }}", "{{ bytes(vars.map) }}",
      "{{ tokens(row.a) }}", "{{ starts_with(row.a, '[') }}", "{{ starts_with(vars.map, 'a') }}",
      "{{ row.a && row.b || !row.c }}", "{{ row.a || trim(vars.map) }}", "{{ row.c && trim(vars.map) }}",
      "{{ source.row }}", "{{ source.line }}", "{{ job.id }}", "{{ tables.t[row.a] }}", "{{ tables.t[trim(row.b)] }}",
      "{{ tables.nope[row.a] }}", "{{ batch.size }}", "{{ batch }}", "{{ batch.each(row.a) }}",
      "{{ trim(vars.map) }}", "/users/{{ row.a }}/x/{{ vars.n }}",
      "{{ length(trim(row.a)) == 0 || json_parse(row.a) != null }}",
      "{{ length(trim(row.a)) == 0 || matches(string(length(json_parse(row.a))), '^([0-9]|10)$') }}",
      "{{ length(trim(row.a)) == 0 || matches(json(keys(json_parse(row.a))), "
          + "'^\\\\[(\"(?:[ !#-\\\\[\\\\]-~]|\\\\\\\\[\"\\\\\\\\]){1,40}\",?)*\\\\]$') }}",
      "{{ split(if(starts_with(trim(row.b), '['), json_parse(trim(row.b)), trim(row.b)), ',') }}",
      "{{ lower(trim(vars.s)) == 'true' }}", "{{ default(steps.find.id, steps.nope.id) }}",
      "{{ if(length(vars.list) == 1, vars.list[0], null) }}", "ferry-{{ job.id }}-{{ source.row }}-user");

  /** Values a field may hold. */
  private static final List<Supplier<Object>> VALUES = List.of(() -> "", () -> " ", () -> "x", () -> " Ab c ",
      () -> "true", () -> "false", () -> "FALSE", () -> "yes", () -> "0", () -> "12", () -> "-4.5", () -> "1e400",
      () -> "[\"a\", \"b\"]", () -> "a, b,, c", () -> "{\"k\":\"v\",\"n\":\"1\"}", () -> "{\"k\":1}", () -> "{bad",
      () -> "[", () -> "ünïcödé", () -> "emoji 😀 \uD83D", () -> "a\"b\\c\n\t\u0001/", () -> "<tag>&amp;",
      () -> "\u0001x\u0001", () -> "\u2003wide\u2003", () -> "\r\nline\n",
      () -> "user@example.com", () -> "k", () -> "Ab", () -> 7L, () -> 2.0, () -> 2.5, () -> true, () -> false,
      () -> new ArrayList<>(List.of("p", "q")), () -> new ArrayList<>(List.of()),
      () -> new LinkedHashMap<>(Map.of("k", "v")), () -> null);

  @Test
  void theCompiledFormRendersWhatTheTreeRenders() {
    Random random = new Random(20261207);
    List<RenderContext> contexts = new ArrayList<>();
    for (int i = 0; i < 300; i++) contexts.add(context(random, i));
    contexts.add(RenderContext.empty());
    contexts.add(RenderContext.ofBatch(List.of(contexts.get(0), contexts.get(1)), Map.of("size", 2L)));
    int compared = 0;
    for (String text : TEMPLATES) {
      Template t = Template.parse(text, AT);
      for (RenderContext ctx : contexts) {
        String where = "'" + text + "' over " + describe(ctx);
        assertThat(outcome(() -> t.render(ctx))).as(where).isEqualTo(outcome(() -> t.interpret(ctx)));
        assertThat(outcome(() -> t.renderText(ctx))).as(where)
            .isEqualTo(outcome(() -> Values.text(t.interpret(ctx))));
        assertThat(outcome(() -> t.renderCondition(ctx))).as(where)
            .isEqualTo(outcome(() -> Values.truthy(t.interpret(ctx))));
        assertThat(outcome(() -> t.renderEscaped(ctx, s -> "<" + s + ">"))).as(where)
            .isEqualTo(outcome(() -> t.interpretEscaped(ctx, s -> "<" + s + ">")));
        compared++;
      }
    }
    assertThat(compared).isEqualTo(TEMPLATES.size() * contexts.size());
  }

  @Test
  void aBodyStreamedAsJsonIsTheRenderedTreeWritten() throws Exception {
    ObjectMapper jackson = new ObjectMapper();
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("email", "{{ trim(row.a) }}");
    tree.put("quoted \"key\"", "{{ row.b }}");
    tree.put("flag", "{{ if(length(row.a) == 0, null, matches(row.a, '^(true|yes)$')) }}");
    tree.put("n", 3L);
    tree.put("nested", new LinkedHashMap<>(Map.of("x", "{{ row.none }}", "deeper", new LinkedHashMap<>(
        Map.of("y", "{{ row.c }}")))));
    tree.put("list", List.of("{{ row.a }}", new LinkedHashMap<>(Map.of("z", "{{ row.none }}")), List.of()));
    tree.put("empty_list", List.of());
    tree.put("meta", "{{ json_parse(row.a) }}");
    tree.put("whole", "{{ vars.map }}");
    tree.put("text", "id-{{ row.b }}");
    JsonTemplate body = JsonTemplate.of(tree, AT);
    Random random = new Random(7);
    for (int i = 0; i < 400; i++) {
      RenderContext ctx = context(random, i);
      for (boolean omit : new boolean[] {false, true}) {
        String where = describe(ctx) + " omit_empty " + omit;
        Object expected = outcome(() -> {
          Object rendered = body.render(ctx);
          return jackson.writeValueAsString(omit ? JsonTemplate.withoutEmpty(rendered) : rendered);
        });
        assertThat(outcome(() -> body.renderJson(ctx, omit))).as(where).isEqualTo(expected);
      }
    }
  }

  private static RenderContext context(Random random, int n) {
    Map<String, Object> record = new LinkedHashMap<>();
    for (String f : List.of("a", "b", "c", "u", "l", "none")) {
      if (random.nextInt(8) == 0) continue; // missing
      record.put(f, f.equals("none") ? null : VALUES.get(random.nextInt(VALUES.size())).get());
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("list", random.nextBoolean() ? new ArrayList<>(List.of("p", "q")) : List.of("only"));
    vars.put("map", random.nextBoolean() ? new LinkedHashMap<>(Map.of("k", "v\"1")) : Map.of());
    vars.put("n", random.nextBoolean() ? 3L : (Object) 3.0);
    vars.put("d", random.nextBoolean() ? 2.5 : (Object) 1e20);
    vars.put("big", random.nextBoolean() ? Long.MAX_VALUE : (Object) (-0.0));
    vars.put("s", random.nextBoolean() ? " TRUE " : "no");
    Map<String, Object> steps = random.nextBoolean() ? Map.of() : Map.of("find", Map.of("id", "f-" + n));
    Map<String, Object> tables = Map.of("t", Map.of("x", "mapped", "k", "other"));
    return RenderContext.of(record, steps, Map.of("id", "job-" + n), Map.of("row", (long) n, "line", n + 1), vars,
        tables);
  }

  private static String describe(RenderContext ctx) {
    return ctx.isBatch() ? "a batch" : "row " + ctx.root(RenderContext.ROW) + ", vars " + ctx.root(RenderContext.VARS);
  }

  /** The value, or the failure's type and message. */
  private static Object outcome(java.util.concurrent.Callable<Object> render) {
    try {
      Object v = render.call();
      return v == null ? "<null>" : v;
    } catch (Exception | AssertionError e) { // jtokkit asserts on a lone surrogate, in both forms alike
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}
