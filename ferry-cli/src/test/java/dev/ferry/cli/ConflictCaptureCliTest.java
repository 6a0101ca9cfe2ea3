package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.LoopbackTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CRM that answers a create of something already there with 409 and the existing item's id in another field than a
 * create's ({@code $.conflict.existing_id} where a 201 has {@code $.company.id}), and whose search index misses items
 * made before (a lagging index: the lookup's find never finds them). A status rule's own {@code capture} reads the
 * id from the 409: the lookup resolves the key as "existing" and the contacts get the company's id. Before, the
 * lookup ran find again after the 409, found nothing, and every row of those companies failed with "409 Company
 * exists"; a request step's 409 left its id capture null.
 */
class ConflictCaptureCliTest {
  @TempDir
  Path dir;

  @RegisterExtension final LoopbackTarget server = new LoopbackTarget();


  static final Pattern FIELD = Pattern.compile("\"(domain|external_id)\"\\s*:\\s*\"([^\"]*)\"");

  @Test
  void aRulesCaptureReadsTheExistingIdFromAConflictInALookupAndARequestStep() throws IOException {
    // Given companies a.io and b.io already in the CRM (absent from its search) and contact ext-3 already there
    Map<String, String> companies = new ConcurrentHashMap<>(Map.of("a.io", "co_a", "b.io", "co_b"));
    Map<String, String> contacts = new ConcurrentHashMap<>(Map.of("ext-3", "c_old3"));
    Map<String, String> companyOfContact = new ConcurrentHashMap<>();
    AtomicInteger companyCreates = new AtomicInteger();
    server.on("/companies", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (ex.getRequestMethod().equals("GET")) {
        answer(ex, 200, "{\"results\":[]}"); // the index lags: nothing is ever found
        return;
      }
      String domain = field(body, "domain");
      String existing = companies.get(domain);
      if (existing != null) {
        answer(ex, 409, "{\"message\":\"Company exists\",\"conflict\":{\"existing_id\":\"" + existing + "\"}}");
        return;
      }
      companyCreates.incrementAndGet();
      String id = "co_new_" + domain;
      companies.put(domain, id);
      answer(ex, 201, "{\"company\":{\"id\":\"" + id + "\"}}");
    });
    server.on("/contacts", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String ext = field(body, "external_id");
      Matcher m = Pattern.compile("\"company_id\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
      companyOfContact.put(ext, m.find() ? m.group(1) : "");
      String existing = contacts.get(ext);
      if (existing != null) {
        answer(ex, 409, "{\"message\":\"Contact exists\",\"conflict\":{\"existing_id\":\"" + existing + "\"}}");
        return;
      }
      contacts.put(ext, "c_" + ext);
      answer(ex, 201, "{\"contact\":{\"id\":\"c_" + ext + "\"}}");
    });
    List<String> lines = new ArrayList<>();
    String[] domains = {"a.io", "b.io", "c.io"};
    for (int i = 1; i <= 9; i++) {
      lines.add("{\"id\":\"ext-" + i + "\",\"person\":{\"email\":\"u" + i + "@" + domains[i % 3] + "\"}}");
    }
    Files.write(dir.resolve("contacts.jsonl"), lines);
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { jsonl: { path: "${INPUT}" } }
        vars: { domain: "{{ split(row.person.email, '@')[1] }}" }
        targets:
          crm: { base_url: "${CRM_URL}" }
        steps:
          - name: company
            target: crm
            lookup:
              key: "{{ vars.domain }}"
              find: { request: { method: GET, path: /companies, query: { domain: "{{ vars.domain }}" } },
                      capture: { id: "$.results[0].id" } }
              create:
                request: { method: POST, path: /companies, body: { domain: "{{ vars.domain }}" } }
                capture: { id: "$.company.id" }
                on: { 409: { action: exists, capture: { id: "$.conflict.existing_id" } } }
          - name: contact
            target: crm
            request:
              method: POST
              path: /contacts
              body: { external_id: "{{ row.id }}", company_id: "{{ steps.company.id }}" }
            capture: { id: "$.contact.id" }
            on: { 409: { action: exists, capture: { id: "$.conflict.existing_id" } } }
        key: "{{ row.id }}"
        sink: { jsonl: { path: "${RESULTS}" } }
        """);

    // When it runs
    CliRun run = CliRun.run(Map.of("CRM_URL", server.url(), "INPUT",
        dir.resolve("contacts.jsonl").toString(), "RESULTS", dir.resolve("results.jsonl").toString()), "run",
        spec.toString(), "--job-id", "cc", "--json", "--progress", "never", "--checkpoint-dir",
        dir.resolve("state").toString());

    // Then every row is done, the existing companies were resolved from their 409s and one company was created
    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.OK);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("done").asLong()).as(run.toString()).isEqualTo(9);
    assertThat(companyCreates.get()).isEqualTo(1);
    for (int i = 1; i <= 9; i++) {
      String domain = domains[i % 3];
      assertThat(companyOfContact).containsEntry("ext-" + i, companies.get(domain));
    }
    assertThat(companyOfContact.get("ext-1")).isEqualTo("co_b");

    // And the contact that existed carries its existing id in the results
    Map<String, String> ids = new java.util.HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
      JsonNode r = new ObjectMapper().readTree(line);
      ids.put(r.path("key").asText(), r.path("results").path("contact").path("id").asText());
    }
    assertThat(ids).hasSize(9).containsEntry("ext-3", "c_old3").containsEntry("ext-4", "c_ext-4");
  }

  @Test
  void aRulesCaptureOfANameTheCallDoesNotCaptureIsASpecError() throws IOException {
    Path spec = Files.writeString(dir.resolve("job.yaml"), """
        source: { jsonl: { path: contacts.jsonl } }
        targets:
          crm: { base_url: "http://127.0.0.1:1" }
        steps:
          - name: contact
            target: crm
            request: { method: POST, path: /contacts }
            capture: { id: "$.contact.id" }
            on: { 409: { action: exists, capture: { contact_id: "$.conflict.existing_id" } } }
        """);

    CliRun run = CliRun.run(Map.of(), "spec", "check", spec.toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("job.yaml:9:").contains("'contact_id' is not captured by the call: a rule's"
        + " capture gives other paths for the call's names (id)").doesNotContain("Exception");
  }

  private static String field(String body, String name) {
    Matcher m = FIELD.matcher(body);
    while (m.find()) if (m.group(1).equals(name)) return m.group(2);
    return "";
  }

  private static void answer(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }
}
