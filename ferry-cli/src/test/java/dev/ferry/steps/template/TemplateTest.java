package dev.ferry.steps.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 12, 10);

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  private static RenderContext row(Map<String, Object> record, Map<String, Object> steps) {
    return RenderContext.ofRow(record, steps, Map.of("id", "job-1"));
  }

  private static Object render(String text, RenderContext ctx) {
    return Template.parse(text, AT).render(ctx);
  }

  @Test
  void aSingleExpressionKeepsItsType() {
    // Given
    RenderContext ctx = row(map("id", 42L, "price", 1.5, "ok", true, "tags", List.of("a", "b"),
        "addr", map("city", "Oslo")), Map.of());
    // Then
    assertThat(render("{{ row.id }}", ctx)).isEqualTo(42L);
    assertThat(render("  {{row.price}} ", ctx)).isEqualTo(1.5);
    assertThat(render("{{ row.ok }}", ctx)).isEqualTo(true);
    assertThat(render("{{ row.tags }}", ctx)).isEqualTo(List.of("a", "b"));
    assertThat(render("{{ row.addr.city }}", ctx)).isEqualTo("Oslo");
    assertThat(render("{{ row['addr'][\"city\"] }}", ctx)).isEqualTo("Oslo");
    assertThat(render("{{ row.tags[1] }}", ctx)).isEqualTo("b");
    assertThat(render("{{ row.tags[-1] }}", ctx)).isEqualTo("b");
    assertThat(render("{{ job.id }}", ctx)).isEqualTo("job-1");
  }

  @Test
  void missingFieldsAndFieldsOfNullAreNull() {
    RenderContext ctx = row(map("id", "x"), Map.of());
    assertThat(render("{{ row.nope }}", ctx)).isNull();
    assertThat(render("{{ row.nope.deeper[3] }}", ctx)).isNull();
    assertThat(render("{{ steps.find.contact_id }}", ctx)).isNull();
    assertThat(render("{{ steps.find.contact_id == null }}", ctx)).isEqualTo(true);
  }

  @Test
  void mixedTextWritesValuesAsText() {
    RenderContext ctx = row(map("id", 7L, "n", 2.0, "name", "Ann", "none", null), Map.of());
    assertThat(render("contact-{{ row.id }}", ctx)).isEqualTo("contact-7");
    assertThat(render("{{row.name}}/{{ row.n }}/{{ row.none }}!", ctx)).isEqualTo("Ann/2/!");
    assertThat(render("no braces at all", ctx)).isEqualTo("no braces at all");
    assertThat(render("", ctx)).isEqualTo("");
  }

  @Test
  void comparisonsAndLogic() {
    Map<String, Object> steps = map("find", map("contact_id", "c_1", "count", 3L));
    RenderContext ctx = row(map("id", 3.0, "flag", false), steps);
    assertThat(render("{{ steps.find.contact_id != null }}", ctx)).isEqualTo(true);
    assertThat(render("{{ steps.find.count == row.id }}", ctx)).isEqualTo(true); // 3 == 3.0
    assertThat(render("{{ !row.flag && steps.find.contact_id == 'c_1' }}", ctx)).isEqualTo(true);
    assertThat(render("{{ row.flag || (row.id == 4) }}", ctx)).isEqualTo(false);
    assertThat(Template.parse("{{ row.flag }}", AT).renderCondition(ctx)).isFalse();
    assertThat(Template.parse("{{ steps.find.contact_id }}", AT).renderCondition(ctx)).isTrue();
  }

  @Test
  void functions() {
    RenderContext ctx = row(map("text", "hello world", "email", " Ann@Example.COM ", "blank", "", "n", "12"),
        Map.of());
    assertThat(render("{{ tokens(row.text) }}", ctx)).isEqualTo(2L); // cl100k: "hello", " world"
    assertThat(render("{{ tokens(row.missing) }}", ctx)).isEqualTo(0L);
    assertThat(render("{{ lower(trim(row.email)) }}", ctx)).isEqualTo("ann@example.com");
    assertThat(render("{{ default(row.blank, 'none') }}", ctx)).isEqualTo("none");
    assertThat(render("{{ number(row.n) }}", ctx)).isEqualTo(12L);
    assertThat(render("{{ length(row.text) }}", ctx)).isEqualTo(11L);
    assertThat(render("{{ bytes('é') }}", ctx)).isEqualTo(2L);
    assertThat(render("{{ max_length(['ab', 'abcd', null, 'é']) }}", ctx)).isEqualTo(4L);
    assertThat(render("{{ max_length(json_parse('{\"a\":\"xyz\",\"b\":\"\"}')) }}", ctx)).isEqualTo(3L);
    assertThat(render("{{ max_length([]) }}", ctx)).isEqualTo(0L);
    assertThat(render("{{ max_length(row.missing) }}", ctx)).isEqualTo(0L);
    assertThat(render("{{ json([1, 'a', null]) }}", ctx)).isEqualTo("[1,\"a\",null]");
  }

  @Test
  void batchEachBuildsAListOfItemsWithObjectLiterals() {
    // Given two rows with an earlier step's vector each
    List<RenderContext> rows = new ArrayList<>();
    rows.add(row(map("id", 1L, "title", "A"), map("embed", map("vector", List.of(0.1, 0.2)))));
    rows.add(row(map("id", 2L, "title", "B"), map("embed", map("vector", List.of(0.3, 0.4)))));
    RenderContext batch = RenderContext.ofBatch(rows, Map.of("size", 2L, "weight", 17L));
    // When
    Template t = Template.parse("{{ batch.each({id: row.id, vector: steps.embed.vector, "
        + "payload: {document_id: row.id, title: row.title}}) }}", AT);
    // Then
    assertThat(t.usesBatch()).isTrue();
    assertThat(t.stepsRead()).containsExactly("embed");
    assertThat(t.render(batch)).isEqualTo(List.of(
        map("id", 1L, "vector", List.of(0.1, 0.2), "payload", map("document_id", 1L, "title", "A")),
        map("id", 2L, "vector", List.of(0.3, 0.4), "payload", map("document_id", 2L, "title", "B"))));
    assertThat(render("{{ batch.weight }}", batch)).isEqualTo(17L);
    assertThat(render("{{ batch.each(row.title) }}", batch)).isEqualTo(List.of("A", "B"));
  }

  @Test
  void batchOutsideABatchIsAnErrorAtItsPlace() {
    Template t = Template.parse("{{ batch.each(row.id) }}", AT);
    assertThatThrownBy(() -> t.render(row(map(), Map.of()))).isInstanceOf(SpecException.class)
        .hasMessageStartingWith("job.yaml:12:13: batch.each(...) is only defined in a batch step");
  }

  @Test
  void parseErrorsNameTheColumnAndWhatWasExpected() {
    assertThatThrownBy(() -> Template.parse("x {{ rwo.id }}", AT)).isInstanceOf(SpecException.class)
        .hasMessageStartingWith("job.yaml:12:15: unknown name 'rwo': a template reads row, steps, job, source, vars,"
            + " tables or batch");
    assertThatThrownBy(() -> Template.parse("{{ row.id", AT))
        .hasMessageStartingWith("job.yaml:12:10: '{{' without '}}'");
    assertThatThrownBy(() -> Template.parse("{{ shout(row.id) }}", AT))
        .hasMessageStartingWith("job.yaml:12:13: unknown function 'shout': expected one of tokens, bytes");
    assertThatThrownBy(() -> Template.parse("{{ row.id = 1 }}", AT))
        .hasMessageContaining("use == to compare");
    assertThatThrownBy(() -> Template.parse("{{ tokens(row.a, row.b) }}", AT))
        .hasMessageContaining("tokens(...) takes 1 argument, got 2");
    assertThatThrownBy(() -> Template.parse("{{ }}", AT)).hasMessageContaining("empty {{ }}");
    assertThatThrownBy(() -> Template.parse("{{ row.id row.email }}", AT))
        .hasMessageContaining("unexpected 'row.email' after the expression");
    assertThatThrownBy(() -> Template.parse("{{ 'open }}", AT)).hasMessageContaining("unclosed string");
  }

  @Test
  void renderErrorsNameTheTemplate() {
    Template t = Template.parse("{{ tokens(row.tags) }}", AT);
    assertThatThrownBy(() -> t.render(row(map("tags", List.of("a")), Map.of())))
        .hasMessageStartingWith("job.yaml:12:13: tokens(...) takes text, got a list");
  }

  @Test
  void nestedBracesAndBracesInStringsDoNotCloseTheExpression() {
    RenderContext ctx = row(map("id", 1L), Map.of());
    assertThat(render("{{ {a: {b: row.id}} }}", ctx)).isEqualTo(map("a", map("b", 1L)));
    assertThat(render("{{ '}}' }}", ctx)).isEqualTo("}}");
  }

  @Test
  void aBodyIsATreeSoValuesNeverBreakQuoting() {
    // Given a field with quotes, a backslash and a newline
    Map<String, Object> tree = map("external_id", "{{ row.id }}", "email", "{{ row.email }}",
        "note", "said \"{{ row.email }}\"", "fixed", 3, "list", List.of("{{ row.id }}", true));
    JsonTemplate body = JsonTemplate.of(tree, AT);
    RenderContext ctx = row(map("id", 9L, "email", "a\"b\\c\nd"), Map.of());
    // When
    Object rendered = body.render(ctx);
    // Then
    assertThat(rendered).isEqualTo(map("external_id", 9L, "email", "a\"b\\c\nd", "note", "said \"a\"b\\c\nd\"",
        "fixed", 3, "list", List.of(9L, true)));
    assertThat(Values.json(rendered)).isEqualTo(
        "{\"external_id\":9,\"email\":\"a\\\"b\\\\c\\nd\",\"note\":\"said \\\"a\\\"b\\\\c\\nd\\\"\",\"fixed\":3,"
            + "\"list\":[9,true]}");
  }

  @Test
  void constantsAndLiterals() {
    assertThat(Template.parse("plain", AT).isConstant()).isTrue();
    assertThat(Template.parse("{{ row.id }}", AT).isConstant()).isFalse();
    assertThat(Template.literal(5L).render(RenderContext.empty())).isEqualTo(5L);
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("a", null);
    assertThat(render("{{ [1, 2.5, 'x', true, null, -3] }}", row(withNull, Map.of())))
        .isEqualTo(java.util.Arrays.asList(1L, 2.5, "x", true, null, -3L));
  }

  @Test
  void ifSplitMatchesStartsWithAndJsonParse() {
    RenderContext ctx = row(map("roles", " admin, ,billing ", "arr", "[\"a\", \" b \"]", "meta", "{\"n\": 2}",
        "bad", "{oops", "email", "Ann@Example.com"), Map.of());
    assertThat(render("{{ split(row.roles, ',') }}", ctx)).isEqualTo(List.of("admin", "billing"));
    assertThat(render("{{ split(row.nope, ',') }}", ctx)).isEqualTo(List.of());
    assertThat(render("{{ split(json_parse(row.arr), ',') }}", ctx)).isEqualTo(List.of("a", "b"));
    assertThat(render("{{ json_parse(row.meta) }}", ctx)).isEqualTo(Map.of("n", 2L));
    assertThat(render("{{ json_parse('') }}", ctx)).isNull();
    assertThatThrownBy(() -> render("{{ json_parse(row.bad) }}", ctx)).isInstanceOf(SpecException.class)
        .hasMessageContaining("json_parse(...): the text is not JSON");
    // only the branch taken is evaluated: the bad JSON is never parsed
    assertThat(render("{{ if(starts_with(row.bad, '['), json_parse(row.bad), 'text') }}", ctx)).isEqualTo("text");
    assertThat(render("{{ if(row.nope, 1, 2) }}", ctx)).isEqualTo(2L);
    assertThat(render("{{ matches(row.email, '^[^@]+@[^@]+$') }}", ctx)).isEqualTo(true);
    assertThat(render("{{ matches(row.nope, '^$') }}", ctx)).isEqualTo(true);
    assertThatThrownBy(() -> render("{{ matches(row.email, '(') }}", ctx)).isInstanceOf(SpecException.class)
        .hasMessageContaining("is not a regular expression");
    assertThatThrownBy(() -> Template.parse("{{ if(true, 1) }}", AT)).hasMessageContaining("if(...) takes 3 arguments");
    assertThat(render("{{ keys(json_parse(row.meta)) }}", ctx)).isEqualTo(List.of("n"));
    assertThat(render("{{ values(json_parse(row.meta)) }}", ctx)).isEqualTo(List.of(2L));
    assertThat(render("{{ keys(row.nope) }}", ctx)).isEqualTo(List.of());
    assertThatThrownBy(() -> render("{{ values(row.roles) }}", ctx))
        .hasMessageContaining("values(...) takes an object");
  }

  @Test
  void sourceAndVarsAreReadable() {
    RenderContext ctx = RenderContext.ofRow(map("id", "x"), Map.of(), Map.of("id", "j"), Map.of("row", 7L, "line", 9L))
        .withVars(map("org", "acme", "none", null));
    assertThat(render("ferry-{{ job.id }}-{{ source.row }}-user@{{ source.line }}", ctx)).isEqualTo("ferry-j-7-user@9");
    assertThat(render("{{ vars.org }}", ctx)).isEqualTo("acme");
    assertThat(render("{{ vars.none == null }}", ctx)).isEqualTo(true);
  }

  @Test
  void varsReadNamesTheVarsReadByALiteralNameInEveryBranch() {
    assertThat(Template.parse("{{ if(vars.own, trim(row.org_id), vars['default_org']) }}", AT).varsRead())
        .containsExactlyInAnyOrder("own", "default_org");
    assertThat(Template.parse("org-{{ vars.a }}-{{ lower(vars.b.c) }}", AT).varsRead())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(Template.parse("{{ {x: [vars.a, !vars.b], y: vars.c == 'z' || vars.d} }}", AT).varsRead())
        .containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(Template.parse("{{ trim(row.email) }}", AT).varsRead()).isEmpty();
    assertThat(Template.parse("plain text", AT).varsRead()).isEmpty();
    assertThat(Template.literal("x").varsRead()).isEmpty();
  }

  @Test
  void columnsReadNamesTheRowsColumnsReadByALiteralNameInEveryBranch() {
    assertThat(Template.parse("{{ if(vars.own, trim(row.org_id), row['org name']) }}", AT).columnsRead())
        .containsExactlyInAnyOrder("org_id", "org name");
    assertThat(Template.parse("{{ row.a.b }}-{{ {x: [row.c, !row.d], y: batch.each(row.e)} }}", AT).columnsRead())
        .containsExactlyInAnyOrder("a", "c", "d", "e");
    assertThat(Template.parse("{{ vars.a }}", AT).columnsRead()).isEmpty();
    assertThat(Template.literal("x").columnsRead()).isEmpty();
  }

  @Test
  void columnsReadIsNullWhenTheRowIsReadWholeOrByAComputedName() {
    assertThat(Template.parse("{{ row }}", AT).columnsRead()).isNull();
    assertThat(Template.parse("{{ keys(row) }}", AT).columnsRead()).isNull();
    assertThat(Template.parse("{{ row[vars.which] }}", AT).columnsRead()).isNull();
    assertThat(Template.parse("{{ row.a }}-{{ json(row) }}", AT).columnsRead()).isNull();
  }

  @Test
  void varsReadIsNullWhenVarsAreReadWholeOrByAComputedName() {
    assertThat(Template.parse("{{ vars }}", AT).varsRead()).isNull();
    assertThat(Template.parse("{{ keys(vars) }}", AT).varsRead()).isNull();
    assertThat(Template.parse("{{ vars[row.which] }}", AT).varsRead()).isNull();
    assertThat(Template.parse("{{ vars[0] }}", AT).varsRead()).isNull();
    assertThat(Template.parse("{{ vars.a }}-{{ json(vars) }}", AT).varsRead()).isNull();
    assertThat(Template.parse("{{ batch.each(vars) }}", AT).varsRead()).isNull();
  }

  @Test
  void readsRootNamesTheRootsReadInEveryBranch() {
    Template t = Template.parse("{{ if(row.a, source.row, vars.x) }}-{{ tables.t[job.id] }}", AT);
    for (String root : List.of("row", "source", "vars", "tables", "job")) assertThat(t.readsRoot(root)).isTrue();
    assertThat(t.readsRoot("steps")).isFalse();
    assertThat(t.readsRoot("batch")).isFalse();
    assertThat(Template.parse("{{ trim(row.email) }}", AT).readsRoot("source")).isFalse();
    assertThat(Template.parse("{{ batch.each(row.id) }}", AT).readsRoot("batch")).isTrue();
    assertThat(Template.parse("{{ steps.find.id }}", AT).readsRoot("steps")).isTrue();
  }
}
