package dev.ferry.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.steps.LookupStepConfig;
import dev.ferry.steps.RequestStepConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {
  static final Map<String, String> ENV = Map.of("INPUT", "in.jsonl", "CRM_API_KEY", "crm-secret-9f8e7d",
      "WORKOS_SECRET_KEY", "sk_test_abcdef");

  @Test
  void builtInSpecsLoad() {
    for (String name : BuiltinSpecs.names()) {
      JobSpec spec = SpecLoader.parse(name, BuiltinSpecs.text(name), ENV, Path.of("/data"));
      assertThat(spec.steps()).isNotEmpty();
      JobSpec.SourceSpec source = spec.source() instanceof JobSpec.CsvSource c ? c.withColumnsRead(null) : spec.source();
      if (spec.source() instanceof JobSpec.CsvSource c) {
        assertThat(c.columnsRead()).as("what planning checks the header against").contains("email", "org_id");
      }
      assertThat(source).isIn(new JobSpec.JsonlSource(Path.of("/data/in.jsonl")),
          new JobSpec.CsvSource(Path.of("/data/in.jsonl"), java.util.Set.of("password", "password_hash"),
              java.util.List.of("email")));
    }
  }

  @Test
  void documentMarkersAroundTheOneDocumentAreFine() {
    String crm = BuiltinSpecs.text("jsonl-to-crm");
    for (String text : new String[] {"---\n" + crm, crm + "---\n", crm + "...\n"}) {
      assertThat(SpecLoader.parse("crm.yaml", text, ENV, Path.of("/data")).steps()).hasSize(3);
    }
    assertThatThrownBy(() -> SpecLoader.parse("crm.yaml", crm + "---\nkey: x\n", ENV, Path.of("/data")))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("a second YAML document");
  }

  @Test
  void secretsAreNeverStoredButMaskedAndDefaultsAreStored() {
    JobSpec spec = SpecLoader.parse("crm.yaml", BuiltinSpecs.text("jsonl-to-crm"), ENV, Path.of("/data"));
    assertThat(spec.storedParams()).containsEntry("INPUT", "in.jsonl")
        .containsEntry("CRM_URL", "http://127.0.0.1:8080").doesNotContainKey("CRM_API_KEY");
    assertThat(spec.secretParams()).contains("CRM_API_KEY");
    assertThat(spec.text()).doesNotContain("crm-secret-9f8e7d").contains("${CRM_API_KEY}");
    assertThat(spec.targets().get(0).headers()).containsEntry("Authorization", "Bearer crm-secret-9f8e7d");
    assertThat(spec.mask("Authorization: Bearer crm-secret-9f8e7d")).isEqualTo("Authorization: Bearer ***");
    assertThat(spec.steps()).hasSize(3).allMatch(s -> s instanceof RequestStepConfig);
  }

  @Test
  void aResumeReadsStoredParametersAndSecretsFromItsEnvironment() {
    JobSpec first = SpecLoader.parse("crm.yaml", BuiltinSpecs.text("jsonl-to-crm"), ENV, Path.of("/data"));
    SpecSettings settings = new SpecSettings("crm.yaml", first.text(), Path.of("/data"), first.storedParams(), false,
        4, 0, null, 30_000);
    SpecSettings back = SpecSettings.fromJson(settings.toJson());
    assertThat(settings.toJson()).doesNotContain("crm-secret-9f8e7d");
    JobSpec resumed = back.load(Map.of("INPUT", "other.jsonl", "CRM_API_KEY", "rotated-key-1234"));
    assertThat(resumed.source()).isEqualTo(new JobSpec.JsonlSource(Path.of("/data/in.jsonl")));
    assertThat(resumed.targets().get(0).headers()).containsEntry("Authorization", "Bearer rotated-key-1234");
    assertThatThrownBy(() -> back.load(Map.of())).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("parameter ${CRM_API_KEY} is not defined");
  }

  @Test
  void limitsByHostPickTheFirstMatchingHostElseLimits() {
    String text = """
        source: { jsonl: { path: in.jsonl } }
        targets:
          t:
            base_url: "${URL}"
            limits_by_host:
              api.example.com: [ { requests: 7, per: 1s } ]
              "*.example.com": [ { requests: 50, per: 1s } ]
              "*.other.org": none
            limits: auto
        steps: [ { name: s, target: t, request: { method: GET, path: /x } } ]
        """;
    java.util.function.Function<String, dev.ferry.steps.TargetLimits> limitsAt = url -> SpecLoader.parse("h.yaml",
        text, Map.of("URL", url), Path.of("/d")).targets().get(0).limits();
    assertThat(limitsAt.apply("https://api.example.com").rules()).singleElement()
        .satisfies(r -> assertThat(r.amount()).isEqualTo(7));
    assertThat(limitsAt.apply("https://API.eu.Example.com:8443/v1").rules()).singleElement()
        .satisfies(r -> assertThat(r.amount()).isEqualTo(50));
    assertThat(limitsAt.apply("http://example.com")).isEqualTo(dev.ferry.steps.TargetLimits.AUTO);
    assertThat(limitsAt.apply("http://127.0.0.1:8080")).isEqualTo(dev.ferry.steps.TargetLimits.AUTO);
    assertThat(limitsAt.apply("http://x.other.org")).isEqualTo(dev.ferry.steps.TargetLimits.NONE);
    // the built-in workos-import: WorkOS's documented rate for WorkOS, learned for anything else (e.g. 'ferry sim')
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("WORKOS_API_URL", "https://api.workos.com");
    assertThat(SpecLoader.parse("w", BuiltinSpecs.text("workos-import"), env, Path.of("/d")).targets().get(0)
        .limits().rules()).singleElement().satisfies(r -> assertThat(r.amount()).isEqualTo(50));
    env.put("WORKOS_API_URL", "http://127.0.0.1:8080");
    assertThat(SpecLoader.parse("w", BuiltinSpecs.text("workos-import"), env, Path.of("/d")).targets().get(0)
        .limits()).isEqualTo(dev.ferry.steps.TargetLimits.AUTO);
    // a target's own wording of a refused key or rights
    assertThat(SpecLoader.parse("w", BuiltinSpecs.text("workos-import"), env, Path.of("/d")).targets().get(0)
        .refused()).containsKeys(401, 403).hasEntrySatisfying(403, m -> assertThat(m).contains("{method} {path}"));
    // a bad host pattern is named
    assertThatThrownBy(() -> SpecLoader.parse("h.yaml", text.replace("\"*.other.org\"", "\"a b\""),
        Map.of("URL", "http://x"), Path.of("/d"))).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("limits_by_host");
  }

  @Test
  void uniqueCodesReportedNamesAndReportCounters() {
    String text = """
        source: { jsonl: { path: in.jsonl } }
        targets: { t: { base_url: "http://127.0.0.1:1" } }
        unique: { key: "{{ row.email }}", code: duplicate_email, label: email }
        report:
          users: { created: user.ok, seen: "user.existing + user.ok" }
        steps:
          - { name: user, reported_as: create_user, target: t, request: { method: POST, path: /u } }
        """;
    JobSpec spec = SpecLoader.parse("r.yaml", text, Map.of(), Path.of("/d"));
    assertThat(spec.unique().source()).isEqualTo("{{ row.email }}");
    assertThat(spec.reporting().uniqueCode()).isEqualTo("duplicate_email");
    assertThat(spec.reporting().uniqueLabel()).isEqualTo("email");
    assertThat(spec.reporting().reportedAs()).containsExactly(Map.entry("user", "create_user"));
    assertThat(spec.reporting().count(Map.of("user", Map.of("ok", 3L, "existing", 2L))))
        .isEqualTo(Map.of("users", Map.of("created", 3L, "seen", 5L)));
    // a counter naming no step, or no outcome, is an error at its line
    assertThatThrownBy(() -> SpecLoader.parse("r.yaml", text.replace("user.ok, seen", "usr.ok, seen"), Map.of(),
        Path.of("/d"))).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("r.yaml:5:").hasMessageContaining("no step named 'usr' (did you mean 'user'?)");
    assertThatThrownBy(() -> SpecLoader.parse("r.yaml", text.replace("user.existing", "user.exists"), Map.of(),
        Path.of("/d"))).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("'exists' is not an outcome a step counts");
  }

  @Test
  void aPrewarmedLookupReadsNoStep() {
    String text = """
        source: { jsonl: { path: in.jsonl } }
        targets: { t: { base_url: "http://127.0.0.1:1" } }
        steps:
          - { name: a, target: t, request: { method: GET, path: /a }, capture: { id: "$.id" } }
          - name: b
            target: t
            lookup:
              key: "{{ row.k }}"
              prewarm: true
              find: { request: { method: GET, path: "/b/{{ steps.a.id }}" }, capture: { id: "$.id" } }
        """;
    assertThatThrownBy(() -> SpecLoader.parse("w.yaml", text, Map.of(), Path.of("/d")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("w.yaml:5:5: step 'b': prewarm resolves its keys before any row's steps run");
    assertThat(SpecLoader.parse("w.yaml", text.replace("{{ steps.a.id }}", "{{ row.k }}"), Map.of(), Path.of("/d"))
        .steps().get(1)).isInstanceOfSatisfying(LookupStepConfig.class, l -> assertThat(l.prewarm()).isTrue());
  }

  @Test
  void dollarDollarIsALiteralAndAnUnsetParameterIsNamedWithItsLine() {
    String text = """
        source: { jsonl: { path: "a$${HOME}.jsonl" } }
        targets: { t: { base_url: "http://127.0.0.1:1/${NOPE}" } }
        steps: [ { name: s, target: t, request: { method: GET, path: /x } } ]
        """;
    assertThatThrownBy(() -> SpecLoader.parse("p.yaml", text, Map.of(), Path.of("/d")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage("p.yaml:2:47: targets.t.base_url: parameter ${NOPE} is not defined: set NOPE in the environment,"
            + " or give a default: ${NOPE:-value}");
    JobSpec ok = SpecLoader.parse("p.yaml", text, Map.of("NOPE", "v"), Path.of("/d"));
    assertThat(ok.source()).isEqualTo(new JobSpec.JsonlSource(Path.of("/d/a${HOME}.jsonl")));
  }

  @Test
  void theRagMigrationOfSeed002ReadsNaturally() {
    String text = """
        source:
          sql: { url: "${DATABASE_URL}", query: "SELECT id, title, content FROM documents", key: id }
        targets:
          embeddings:
            base_url: "${EMBEDDINGS_URL}"
            headers: { Authorization: "Bearer ${EMBEDDINGS_API_KEY}" }
            limits: [ { requests: 3000, per: 1m }, { tokens: 1000000, per: 1m } ]
          qdrant:
            base_url: "${QDRANT_URL}"
            headers: { api-key: "${QDRANT_API_KEY:-}" }
        steps:
          - name: embed
            target: embeddings
            batch: { max_items: 256, max_weight: 250000, weight: "{{ tokens(row.content) }}", linger: 50ms }
            charge: { tokens: "{{ batch.weight }}" }
            request: { method: POST, path: "/embeddings",
                       body: { model: "${EMBEDDINGS_MODEL:-text-embedding-3-small}", input: "{{ batch.each(row.content) }}" } }
            response: { items: "$.data", match: { index: "$.index" } }
            capture: { vector: "$.embedding" }
            split_on: [400, 413, 422]
          - name: upsert
            target: qdrant
            batch: { max_items: 128, linger: 50ms }
            request: { method: PUT, path: "/collections/${QDRANT_COLLECTION}/points?wait=true",
                       body: { points: "{{ batch.each({id: row.id, vector: steps.embed.vector}) }}" } }
        key: "{{ row.id }}"
        """;
    JobSpec spec = SpecLoader.parse("rag.yaml", text, Map.of("DATABASE_URL", "jdbc:postgresql://db/x?password=pw12",
        "EMBEDDINGS_URL", "http://127.0.0.1:1", "EMBEDDINGS_API_KEY", "sk-embed-1234", "QDRANT_URL",
        "http://127.0.0.1:2", "QDRANT_COLLECTION", "docs"), Path.of("/d"));
    assertThat(spec.steps()).extracting(s -> ((RequestStepConfig) s).batch().maxItems()).containsExactly(256, 128);
    assertThat(spec.targets().get(0).limits().rules()).hasSize(2);
    assertThat(spec.storedParams()).doesNotContainKeys("EMBEDDINGS_API_KEY", "QDRANT_API_KEY");
  }

  @Test
  void aLookupStep() {
    String text = """
        source: { csv: { path: users.csv } }
        targets: { w: { base_url: "http://127.0.0.1:1" } }
        steps:
          - name: org
            target: w
            lookup:
              key: "{{ row.org_external_id }}"
              find: { request: { method: GET, path: /organizations, query: { external_id: "{{ row.org_external_id }}" } },
                      capture: { id: "$.data[0].id" } }
              create: { request: { method: POST, path: /organizations, body: { name: "{{ row.org_name }}" } },
                        capture: { id: "$.id" }, on: { 409: exists } }
        """;
    JobSpec spec = SpecLoader.parse("l.yaml", text, Map.of(), Path.of("/d"));
    assertThat(spec.steps().get(0)).isInstanceOf(LookupStepConfig.class);
  }

  @Test
  void varsChecksUniqueAndTheirMistakes() {
    String good = """
        source: { csv: { path: users.csv, secret_columns: [Password] } }
        targets: { w: { base_url: "http://127.0.0.1:1" } }
        vars: { org: "{{ trim(row.org) }}" }
        checks:
          - { require: "{{ length(vars.org) != 0 }}", code: org_missing, message: "no org on {{ source.line }}" }
        unique: "{{ row.email }}"
        steps:
          - name: s
            target: w
            request: { method: POST, path: /x, omit_empty: true, body: { org: "{{ vars.org }}" } }
            on: { 422: { action: exists, codes: [taken] } }
        """;
    JobSpec spec = SpecLoader.parse("g.yaml", good, Map.of(), Path.of("/d"));
    assertThat(spec.vars()).containsOnlyKeys("org");
    assertThat(spec.checks()).hasSize(1);
    assertThat(spec.unique()).isNotNull();
    assertThat(spec.secretColumns()).containsExactly("password");
    assertThat(((RequestStepConfig) spec.steps().get(0)).call().request().omitEmpty()).isTrue();
    assertThat(((RequestStepConfig) spec.steps().get(0)).call().rules().rules().get("422").codes())
        .containsExactly("taken");

    String bad = """
        source: { csv: { path: users.csv } }
        targets: { w: { base_url: "http://127.0.0.1:1" } }
        checks: [ { require: "{{ steps.s.id != null }}", code: x } ]
        steps:
          - name: s
            target: w
            request: { method: POST, path: /x, omit_empty: yes-please }
            on: { 422: { action: final, then: { request: { method: GET, path: /y } } } }
        """;
    assertThatThrownBy(() -> SpecLoader.parse("b.yaml", bad, Map.of(), Path.of("/d")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("steps[0].request.omit_empty: expected true or false");
    String bad2 = bad.replace("omit_empty: yes-please", "omit_empty: false");
    assertThatThrownBy(() -> SpecLoader.parse("b.yaml", bad2, Map.of(), Path.of("/d")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("only 'exists' takes a call (then)");
    String bad3 = bad2.replace("action: final, then: { request: { method: GET, path: /y } }", "action: final");
    assertThatThrownBy(() -> SpecLoader.parse("b.yaml", bad3, Map.of(), Path.of("/d")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("vars and checks are rendered before any step");
  }

  @Test
  void aLoadOfTheSameTextWhoseParametersResolveTheSameReusesTheLastSpec() throws Exception {
    String text = BuiltinSpecs.text("workos-import");
    JobSpec first = SpecLoader.parse("w.yaml", text, ENV, Path.of("/data"));
    // the same values, another variable, an unset parameter given its default: the same spec
    Map<String, String> more = new java.util.HashMap<>(ENV);
    more.put("UNRELATED", "x");
    more.put("ORG_ID", "");
    assertThat(SpecLoader.parse("w.yaml", text, more, Path.of("/data"))).isSameAs(first);
    // another value, another name or directory: loaded again, with it
    more.put("WORKOS_API_URL", "http://127.0.0.1:9");
    JobSpec other = SpecLoader.parse("w.yaml", text, more, Path.of("/data"));
    assertThat(other).isNotSameAs(first);
    assertThat(other.targets().get(0).baseUrl().toString()).startsWith("http://127.0.0.1:9");
    assertThat(SpecLoader.parse("x.yaml", text, more, Path.of("/data"))).isNotSameAs(other);
    assertThat(SpecLoader.parse("x.yaml", text, more, Path.of("/other"))).isNotSameAs(other);
  }

  @Test
  void aSpecWhoseLoadReadsATableFileIsLoadedAgain(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("roles.csv"), "external_id,role_slug\ne1,admin\n");
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("ROLE_MAPPING", "roles.csv");
    String text = BuiltinSpecs.text("workos-import");
    JobSpec first = SpecLoader.parse("w.yaml", text, env, dir);
    java.nio.file.Files.writeString(dir.resolve("roles.csv"), "external_id,role_slug\ne1,member\n");
    JobSpec again = SpecLoader.parse("w.yaml", text, env, dir);
    assertThat(again).isNotSameAs(first);
    assertThat(again.tables().get("role_mapping")).isEqualTo(Map.of("e1", "member"));
  }
}
