package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.spec.InvalidSpecException;
import dev.ferry.spec.ServeConfig;
import dev.ferry.spec.ServiceSpec;
import dev.ferry.spec.SpecLoader;
import dev.ferry.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Service specs: the example loads; mistakes are named at file:line:col. */
class ServiceSpecTest {
  private static final Map<String, String> ENV = Map.of("WEBHOOK_SECRET", "s", "EMBEDDINGS_URL",
      "http://127.0.0.1:1/v1", "EMBEDDINGS_API_KEY", "k", "QDRANT_URL", "http://127.0.0.1:1",
      "QDRANT_COLLECTION", "pages");

  @Test
  void theWebhookIndexerExampleLoads() throws Exception {
    Path file = Repo.path("examples/webhook-indexer/service.yaml");
    ServiceSpec s = SpecLoader.parseService(file.toString(), Files.readString(file), ENV, Path.of(""));
    ServeConfig serve = s.serve();
    assertThat(serve.queue()).isEqualTo("webhook-indexer");
    assertThat(serve.backlog()).isEqualTo(10_000);
    assertThat(serve.lease()).isEqualTo(Duration.ofSeconds(60));
    ServeConfig.Route r = serve.routes().get(0);
    assertThat(r.path()).isEqualTo("/webhooks/firecrawl");
    assertThat(r.signature().header()).isEqualTo("X-Firecrawl-Signature");
    assertThat(r.deliveryId().source()).isEqualTo("$.webhookId");
    assertThat(r.items().source()).isEqualTo("$.data");
    assertThat(s.job().steps()).hasSize(2);
    assertThat(s.job().source()).isNull();
    assertThat(s.job().secretValues()).contains("s");
    assertThat(s.job().storedParams()).doesNotContainKey("WEBHOOK_SECRET");
  }

  private static final String STEPS = """
      targets:
        t: { base_url: "http://127.0.0.1:1" }
      steps:
        - name: a
          target: t
          request: { method: POST, path: /x, body: { v: "{{ row.v }}" } }
      """;

  @Test
  void mistakesAreNamedWhereTheyAre() {
    String spec = """
        serve:
          routes:
            - path: /in
              signature: { header: X-Sig, secret: literal }
              delivery_id: "$.id["
              itmes: $.data
          backlog: -1
        """ + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", spec, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:6:")
        .hasMessageContaining("itmes")
        .hasMessageContaining("svc.yaml:7:");
  }

  @Test
  void aRoutePathWithoutItsSlashIsNamedAsAPath() {
    String spec = """
        serve:
          routes:
            - path: webhooks
              delivery_id: "$.id"
        """ + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", spec, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:3:13: serve.routes[0].path: expected a URL path starting with /")
        .hasMessageContaining("found 'webhooks'")
        .hasMessageNotContaining("a name");
  }

  @Test
  void aLeaseShorterThanASecondIsRefused() {
    String spec = """
        serve:
          routes:
            - path: /in
              delivery_id: "$.id"
          lease: 1ms
        """ + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", spec, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:5:10: serve.lease: the lease must be at least 1s");
  }

  @Test
  void aLiteralSecretOrABadPathIsRefused() {
    String spec = """
        serve:
          routes:
            - path: /in
              signature: { header: X-Sig, secret: literal }
              delivery_id: "$.id["
        """ + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", spec, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:4:")
        .hasMessageContaining("from a parameter")
        .hasMessageContaining("svc.yaml:5:");
  }

  @Test
  void theAdminTokenComesFromAParameterAndIsNeverShown() throws Exception {
    Path file = Repo.path("examples/webhook-indexer/service.yaml");
    assertThat(SpecLoader.parseService(file.toString(), Files.readString(file), ENV, Path.of("")).serve().adminToken())
        .as("ADMIN_TOKEN unset: the admin routes are open").isNull();
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("ADMIN_TOKEN", "adm-123");
    ServiceSpec s = SpecLoader.parseService(file.toString(), Files.readString(file), env, Path.of(""));
    assertThat(s.serve().adminToken()).isEqualTo("adm-123");
    assertThat(s.serve().toString()).doesNotContain("adm-123").contains("adminToken=***");
    assertThat(s.job().storedParams()).doesNotContainKey("ADMIN_TOKEN");

    String literal = """
        serve:
          routes: [ { path: /in, delivery_id: "$.id" } ]
          admin_token: plain-text
        """ + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", literal, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:3:")
        .hasMessageContaining("from a parameter");
  }

  @Test
  void theDedupeWindowIsAWeekByDefaultAndAtLeastAMinute() {
    String routes = """
        serve:
          routes: [ { path: /in, delivery_id: "$.id" } ]
        """;
    assertThat(SpecLoader.parseService("svc.yaml", routes + STEPS, Map.of(), Path.of("")).serve().dedupeWindow())
        .isEqualTo(Duration.ofDays(7));
    assertThat(SpecLoader.parseService("svc.yaml", routes + "  dedupe_window: 72h\n" + STEPS, Map.of(), Path.of(""))
        .serve().dedupeWindow()).isEqualTo(Duration.ofDays(3));
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", routes + "  dedupe_window: 30s\n" + STEPS, Map.of(),
        Path.of(""))).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("svc.yaml:3:18: serve.dedupe_window: the dedupe window must be at least 1m");
  }

  @Test
  void aJobSpecIsNotAServiceSpec() {
    String spec = "source: { jsonl: { path: in.jsonl } }\n" + STEPS;
    assertThatThrownBy(() -> SpecLoader.parseService("svc.yaml", spec, Map.of(), Path.of("")))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("source");
  }
}
