package dev.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.CliTestSeam;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Runs the ferry CLI in this JVM with an injected environment and captures exit code, stdout and stderr. */
final class Ferry {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of one command. */
  record Run(int exit, String out, String err) {
    JsonNode outJson() {
      return json(out);
    }

    List<String> errLines() {
      return err.isBlank() ? List.of() : Arrays.asList(err.strip().split("\\R"));
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Ferry() {}

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      code = CliTestSeam.commandLine(o, e, env).execute(args);
    }
    return new Run(code, out.toString(), err.toString());
  }

  static Run run(Map<String, String> env, List<String> args) {
    return run(env, args.toArray(String[]::new));
  }

  static List<String> args(Object... parts) {
    List<String> out = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) l.forEach(x -> out.add(String.valueOf(x)));
      else out.add(String.valueOf(p));
    }
    return out;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  static JsonNode readJson(Path file) {
    try {
      return json(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
