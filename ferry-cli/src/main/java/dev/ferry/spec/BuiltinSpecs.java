package dev.ferry.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The job specs that ship with ferry ({@code ferry spec show NAME}), as resources. Stateless, threadsafe. */
public final class BuiltinSpecs {
  private static final List<String> NAMES = List.of("jsonl-to-crm", "jsonl-users", "workos-import");

  private BuiltinSpecs() {}

  public static List<String> names() {
    return NAMES;
  }

  /** The spec's text, or null when there is no built-in spec of that name. */
  public static String text(String name) {
    if (!NAMES.contains(name)) return null;
    try (InputStream in = BuiltinSpecs.class.getResourceAsStream("builtin/" + name + ".yaml")) {
      if (in == null) throw new IllegalStateException("built-in spec " + name + " is missing from the build");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
