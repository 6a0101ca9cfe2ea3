package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.core.spi.JobStore;
import dev.ferry.spec.BuiltinSpecs;
import dev.ferry.spec.JobSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PrewarmKeys} renders only the vars its keys and {@code when}s need, and finds the keys rendering every var
 * finds (the row's own run's values), save for rows whose only failing var no key needs.
 */
class PrewarmKeysTest {
  private static final SpecLocation AT = new SpecLocation("job.yaml", 1, 1);

  private static Template t(String text) {
    return Template.parse(text, AT);
  }

  private static Map<String, Template> vars(String... nameAndText) {
    Map<String, Template> vars = new LinkedHashMap<>();
    for (int i = 0; i < nameAndText.length; i += 2) vars.put(nameAndText[i], t(nameAndText[i + 1]));
    return vars;
  }

  @Test
  void theVarsNeededAreTheClosureOverTheVarsOwnTemplatesInTheirOrder() {
    Map<String, Template> vars = vars(
        "a", "{{ trim(row.a) }}",
        "b", "{{ vars.a }}-x",
        "unused", "{{ json_parse(row.bad) }}",
        "c", "{{ if(vars.b, vars['d'], 'none') }}", // reads d before d is set: needed all the same
        "d", "{{ lower(row.d) }}",
        "e", "{{ vars.nope }}",
        "f", "{{ vars.f }}");
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ vars.c }}")))).containsExactly("a", "b", "c", "d");
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ vars.d }}"), t("{{ vars.a == '' }}"))))
        .containsExactly("a", "d");
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ vars.e }}"), t("{{ vars.f }}")))).containsExactly("e", "f");
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ row.x }}"), t("{{ vars.missing }}")))).isEmpty();
    assertThat(PrewarmKeys.varsNeeded(vars, List.of())).isEmpty();
  }

  @Test
  void aTemplateReadingVarsOtherwiseNeedsThemAll() {
    Map<String, Template> vars = vars("a", "x", "b", "{{ vars[row.which] }}", "c", "y");
    List<String> all = List.of("a", "b", "c");
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ keys(vars) }}")))).containsExactlyElementsOf(all);
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ vars.c }}"), t("{{ vars }}")))).containsExactlyElementsOf(all);
    // through a var's own template
    assertThat(PrewarmKeys.varsNeeded(vars, List.of(t("{{ vars.b }}")))).containsExactlyElementsOf(all);
  }

  @Test
  void theBuiltInImportsKeysNeedOnlyTheOrganizationVars() {
    JobSpec spec = workosImport(Map.of());
    List<Template> readers = new ArrayList<>();
    for (StepConfig s : spec.steps()) if (s instanceof LookupStepConfig l && l.prewarm()) readers.add(l.key());
    assertThat(PrewarmKeys.varsNeeded(spec.vars(), readers)).containsExactly("default_org_id",
        "default_org_external_id", "own_org", "org_id", "org_external_id");
  }

  @Test
  void findsTheKeysRenderingEveryVarFindsForTheBuiltInImport() {
    Random random = new Random(7);
    for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("ORG_EXTERNAL_ID", "dflt"),
        Map.of("ORG_ID", "org_dflt"))) {
      JobSpec spec = workosImport(env);
      List<RowInput> rows = new ArrayList<>();
      for (int i = 1; i <= 400; i++) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("email", "u" + i + "@e.com");
        if (random.nextInt(3) == 0) record.put("org_id", random.nextBoolean() ? " org_" + random.nextInt(5) : "");
        if (random.nextInt(2) == 0) record.put("org_external_id", random.nextBoolean() ? "ext-" + random.nextInt(7) : " ");
        record.put("role_slugs", List.of("member", "[\"a\"]", "", "a,b").get(random.nextInt(4)));
        if (random.nextInt(5) == 0) record.put("password", "secret" + i);
        rows.add(new RowInput(i, 0, i + 1, null, null, record));
      }
      assertSameKeys(spec, rows);
    }
  }

  @Test
  void aRowWhoseRolesFailToParseStillHoldsItsOrganization() {
    // the row is invalid in its run (its var own_roles fails), as import-users' pre-warm its organization is resolved
    PrewarmKeys keys = new PrewarmKeys(workosImport(Map.of()).steps(), workosImport(Map.of()).vars(), Map.of(),
        "job-1", java.util.Set.of());
    keys.add(row(1, "email", "a@e.com", "org_external_id", "acme", "role_slugs", "[broken"));
    assertThat(stored(keys)).containsOnlyKeys("prewarm:org|acme");
  }

  @Test
  void aRowWhoseNeededVarFailsHoldsNoKeyButOneWhoseOtherVarFailsDoes() {
    Map<String, Template> vars = vars(
        "n", "{{ number(row.n) }}",           // fails for a row whose n is not a number
        "other", "{{ number(row.other) }}",   // no key needs it
        "key", "{{ row.k }}-{{ vars.n }}");
    List<StepConfig> steps = List.of(lookup("find", "{{ vars.key }}", "{{ vars.n != 0 }}"));
    PrewarmKeys keys = new PrewarmKeys(steps, vars, Map.of(), "job-1", java.util.Set.of());
    keys.add(row(1, "k", "a", "n", "1", "other", "x"));     // other fails: a key all the same
    keys.add(row(2, "k", "b", "n", "oops", "other", "1"));  // n fails: none
    keys.add(row(3, "k", "c", "n", "0", "other", "1"));     // when false: none
    keys.add(row(4, "k", "a", "n", "1", "other", "1"));     // seen
    keys.add(row(5, "k", "d", "n", "2"));
    assertThat(stored(keys)).containsOnlyKeys("prewarm:find|a-1", "prewarm:find|d-2");
    assertThat(stored(keys).get("prewarm:find|a-1")).contains("\"row\":1");
  }

  @Test
  void aKeyReadingTheRowsPlaceGetsIt() {
    Map<String, Template> vars = vars("place", "{{ source.row }}@{{ source.line }}", "unused", "{{ number('x') }}");
    PrewarmKeys keys = new PrewarmKeys(List.of(lookup("find", "{{ job.id }}:{{ vars.place }}", null)), vars,
        Map.of(), "job-1", java.util.Set.of());
    keys.add(new RowInput(3, 0, 9, null, null, Map.of()));
    assertThat(stored(keys)).containsOnlyKeys("prewarm:find|job-1:3@9");
  }

  /** The keys found, and their first rows, are those of every var rendered as the row's run does. */
  private static void assertSameKeys(JobSpec spec, List<RowInput> rows) {
    PrewarmKeys keys = new PrewarmKeys(spec.steps(), spec.vars(), spec.tables(), "job-1", spec.secretColumns());
    Map<String, Long> expected = new LinkedHashMap<>();
    for (RowInput row : rows) {
      keys.add(row);
      RowState state = new RowState(row, "", Map.of("id", "job-1"), spec.tables());
      state.vars(PrewarmKeys.renderVars(spec.vars(), state));
      for (StepConfig s : spec.steps()) {
        if (!(s instanceof LookupStepConfig l) || !l.prewarm()) continue;
        String key = l.key().renderText(state.context());
        if (!key.isEmpty()) expected.putIfAbsent("prewarm:" + l.name() + "|" + key, row.row());
      }
    }
    Map<String, String> found = stored(keys);
    assertThat(expected).isNotEmpty();
    assertThat(found).containsOnlyKeys(expected.keySet());
    expected.forEach((k, row) -> assertThat(found.get(k)).startsWith("{\"row\":" + row + ","));
    for (String k : found.keySet()) assertThat(found.get(k)).doesNotContain("secret");
  }

  private static Map<String, String> stored(PrewarmKeys keys) {
    Map<String, String> out = new LinkedHashMap<>();
    JobStore store = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("putLookup")) out.put(args[1] + "|" + args[2], (String) args[3]);
          return null;
        });
    keys.writeTo(store, "job-1");
    return out;
  }

  private static RowInput row(long n, String... kv) {
    Map<String, Object> record = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) record.put(kv[i], kv[i + 1]);
    return new RowInput(n, 0, n + 1, null, null, record);
  }

  private static LookupStepConfig lookup(String name, String key, String when) {
    CallConfig find = new CallConfig(new RequestTemplate("GET", t("/x/" + key), Map.of(), Map.of(), null, false),
        null, ResponseRules.DEFAULTS, Map.of("id", dev.ferry.steps.template.JsonPath.parse("$.id", AT)), Map.of());
    return new LookupStepConfig(name, AT, when == null ? null : t(when), "api", t(key), null, find, null, null, null,
        true);
  }

  private static JobSpec workosImport(Map<String, String> params) {
    Map<String, String> env = new java.util.HashMap<>(params);
    env.put("INPUT", "in.csv");
    env.put("WORKOS_SECRET_KEY", "sk_test_x");
    return SpecLoader.parse("workos-import", BuiltinSpecs.text("workos-import"), env, Path.of("/data"));
  }
}
