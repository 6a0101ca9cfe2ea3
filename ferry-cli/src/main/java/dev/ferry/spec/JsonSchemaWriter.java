package dev.ferry.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.spec.Shape.AnyOf;
import dev.ferry.spec.Shape.Field;
import dev.ferry.spec.Shape.ListOf;
import dev.ferry.spec.Shape.MapOf;
import dev.ferry.spec.Shape.Obj;
import dev.ferry.spec.Shape.OneOfWords;
import dev.ferry.spec.Shape.Scalar;

/**
 * The JSON Schema (draft 2020-12) of the job spec format, made from the same {@link Grammar} the checker uses, for
 * editor completion (docs/job-spec.schema.json). Stateless.
 */
public final class JsonSchemaWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonSchemaWriter() {}

  /** The schema as pretty-printed JSON, ending with a newline. */
  public static String schema() {
    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$id", "https://ferry.dev/schemas/job-spec.schema.json");
    write(root, Grammar.SPEC);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode node(Shape shape) {
    ObjectNode n = JSON.createObjectNode();
    write(n, shape);
    return n;
  }

  private static void write(ObjectNode n, Shape shape) {
    switch (shape) {
      case Obj o -> {
        n.put("title", o.title());
        n.put("description", o.description());
        n.put("type", "object");
        ObjectNode props = n.putObject("properties");
        for (Field f : o.fields()) {
          ObjectNode p = node(f.shape());
          if (!p.has("description")) p.put("description", f.description());
          props.set(f.name(), p);
        }
        n.put("additionalProperties", false);
        if (o.exactlyOne()) {
          n.put("minProperties", 1);
          n.put("maxProperties", 1);
        } else {
          ArrayNode req = JSON.createArrayNode();
          o.fields().stream().filter(Field::required).forEach(f -> req.add(f.name()));
          if (!req.isEmpty()) n.set("required", req);
        }
      }
      case MapOf m -> {
        n.put("type", "object");
        if (m.keys() != null) n.putObject("propertyNames").put("pattern", m.keys());
        n.set("additionalProperties", node(m.values()));
      }
      case ListOf l -> {
        n.put("type", "array");
        if (l.minItems() > 0) n.put("minItems", l.minItems());
        n.set("items", node(l.items()));
      }
      case OneOfWords w -> {
        ArrayNode e = n.putArray("enum");
        for (String word : w.words()) {
          if (word.matches("\\d+")) e.add(Integer.parseInt(word));
          e.add(word);
        }
      }
      case AnyOf a -> {
        ArrayNode any = n.putArray("anyOf");
        for (Shape c : a.choices()) any.add(node(c));
      }
      case Scalar s -> scalar(n, s);
    }
  }

  private static void scalar(ObjectNode n, Scalar s) {
    switch (s.type()) {
      case STRING, TEMPLATE -> {
        n.put("type", "string");
        if (s.pattern() != null) n.put("pattern", s.pattern());
      }
      case COUNT -> n.putArray("anyOf").add(JSON.createObjectNode().put("type", "integer").put("minimum", 1))
          .add(parameter());
      case POSITIVE -> n.putArray("anyOf").add(JSON.createObjectNode().put("type", "number")
          .put("exclusiveMinimum", 0)).add(parameter());
      case STATUS -> n.put("type", "integer").put("minimum", 100).put("maximum", 599);
      case DURATION -> n.put("type", "string").put("pattern", "^(\\d+(\\.\\d+)?(ms|s|m|h)|.*\\$\\{.*)$");
      case BOOLEAN -> n.putArray("anyOf").add(JSON.createObjectNode().put("type", "boolean")).add(parameter());
      case ANY -> { }
    }
  }

  /** A number may also be written as a parameter: "${BATCH:-256}". */
  private static ObjectNode parameter() {
    return JSON.createObjectNode().put("type", "string").put("pattern", "\\$\\{");
  }
}
