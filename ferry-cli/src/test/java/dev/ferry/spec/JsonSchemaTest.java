package dev.ferry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/job-spec.schema.json is the grammar's schema (regenerate with -Dferry.writeSchema=true), and every built-in
 * spec is valid against it, checked by a small validator of the keywords the schema uses; the jobs reference names
 * every key.
 */
class JsonSchemaTest {
  static final Path FILE = Repo.path("docs/job-spec.schema.json");
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theCommittedSchemaIsTheGrammars() throws Exception {
    String schema = JsonSchemaWriter.schema();
    if (Boolean.getBoolean("ferry.writeSchema")) Files.writeString(FILE, schema);
    assertThat(Files.readString(FILE)).as("run the test with -Dferry.writeSchema=true").isEqualTo(schema);
  }

  @Test
  void builtInSpecsAreValidAndAnUnknownKeyIsNot() throws Exception {
    JsonNode schema = JSON.readTree(JsonSchemaWriter.schema());
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (String name : BuiltinSpecs.names()) {
      JsonNode spec = yaml.readTree(BuiltinSpecs.text(name));
      assertThat(validate(schema, spec, "")).as(name).isEmpty();
      ((com.fasterxml.jackson.databind.node.ObjectNode) spec.get("steps").get(0)).put("retries", 3);
      assertThat(validate(schema, spec, "")).as(name).containsExactly("steps[0]: unknown retries");
    }
    // every key the checker accepts is in the schema: a spec using all of them is valid
    JsonNode all = yaml.readTree(Files.readString(Path.of("src/test/resources/specs/every-key.yaml")));
    assertThat(validate(schema, all, "")).isEmpty();
    SpecLoader.parse("every-key.yaml", Files.readString(Path.of("src/test/resources/specs/every-key.yaml")),
        Map.of("K", "key-value-1234"), Path.of("/d"));
  }

  @Test
  void everyKeyOfTheGrammarIsInTheJobsReference() throws Exception {
    String docs = Files.readString(Repo.path("docs/JOBS.md")) + Files.readString(Repo.path("docs/JOBS-STEPS.md"))
        + Files.readString(Repo.path("docs/JOBS-SQL.md")) + Files.readString(Repo.path("docs/SERVE.md"));
    List<String> keys = new ArrayList<>();
    propertyNames(JSON.readTree(JsonSchemaWriter.schema()), keys);
    assertThat(keys).contains("source", "steps", "limits", "sink");
    assertThat(keys.stream().distinct()
            .filter(k -> !java.util.regex.Pattern.compile("(?<![\\w-])" + java.util.regex.Pattern.quote(k) + "(?![\\w-])")
                .matcher(docs).find()))
        .as("spec keys that docs/JOBS*.md and docs/SERVE.md never name").isEmpty();
  }

  /** Every name under a "properties" anywhere in {@code schema} (Jackson's findValues stops at the first level). */
  private static void propertyNames(JsonNode schema, List<String> into) {
    if (schema.has("properties") && schema.get("properties").isObject()) {
      schema.get("properties").fieldNames().forEachRemaining(into::add);
    }
    schema.forEach(child -> propertyNames(child, into));
  }

  static List<String> validate(JsonNode s, JsonNode v, String at) {
    List<String> errors = new ArrayList<>();
    if (s.has("anyOf")) {
      for (JsonNode c : s.get("anyOf")) if (validate(c, v, at).isEmpty()) return errors;
      errors.add(at + ": no anyOf choice fits");
      return errors;
    }
    if (s.has("enum")) {
      boolean found = false;
      for (JsonNode e : s.get("enum")) found |= e.equals(v);
      if (!found) errors.add(at + ": not in enum");
    }
    String type = s.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!v.isObject()) return List.of(at + ": not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String p = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
          if (s.has("propertyNames") && !e.getKey().matches(s.get("propertyNames").get("pattern").asText()
              .replace("^", "").replace("$", ""))) errors.add(p + ": bad name");
          JsonNode ps = s.path("properties").get(e.getKey());
          JsonNode extra = s.get("additionalProperties");
          if (ps != null) errors.addAll(validate(ps, e.getValue(), p));
          else if (extra != null && extra.isObject()) errors.addAll(validate(extra, e.getValue(), p));
          else if (extra != null && !extra.asBoolean()) errors.add(at + ": unknown " + e.getKey());
        }
        for (JsonNode r : s.path("required")) if (!v.has(r.asText())) errors.add(at + ": missing " + r.asText());
        if (s.has("maxProperties") && v.size() > s.get("maxProperties").asInt()) errors.add(at + ": too many");
      }
      case "array" -> {
        if (!v.isArray()) return List.of(at + ": not an array");
        for (int i = 0; i < v.size(); i++) errors.addAll(validate(s.get("items"), v.get(i), at + "[" + i + "]"));
      }
      case "string" -> {
        if (!v.isTextual()) return List.of(at + ": not a string");
        if (s.has("pattern") && !java.util.regex.Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
          errors.add(at + ": pattern");
        }
      }
      case "integer" -> {
        if (!v.isIntegralNumber()) errors.add(at + ": not an integer");
      }
      case "number" -> {
        if (!v.isNumber()) errors.add(at + ": not a number");
      }
      default -> { }
    }
    return errors;
  }
}
