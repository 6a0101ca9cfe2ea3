package dev.ferry.arch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.Repo;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/POOL.md's "Usage" sample is what a service's author copies first (seed 004's porter, from the docs alone),
 * so it must compile as written, imports included, against {@code ferry-core} and the SLF4J API alone (its
 * artifact's only dependency): the sample's lines go into a method of a class whose other members stand for the
 * service's own code ({@code api}, {@code user}, {@code Doc}, {@code doc}, {@code index}, {@code summary},
 * {@code writer}), and the JDK's compiler must take it without a diagnostic.
 */
class PoolDocSampleTest {
  private static final Pattern USAGE = Pattern.compile("## Usage\\n\\n```java\\n(.*?)```", Pattern.DOTALL);

  /** The service's own code the sample calls; nothing of ferry. */
  private static final String STUBS = """
        record Doc(String id) {}
        static final class Api {
          String createUser(Object user) { return "user_1"; }
          String ping() { return "pong"; }
        }
        static final class Writer {
          void send(String line) {}
        }
        static final Api api = new Api();
        static final Object user = new Object();
        static final Doc doc = new Doc("d1");
        static final Writer writer = new Writer();
        static ItemOutcome<String> index(Doc d) { return ItemOutcome.success(d.id()); }
        static String summary(List<Doc> docs) { return docs.size() + " docs"; }
      """;

  @Test
  void theUsageSampleCompilesAsWrittenAgainstFerryCoreAlone(@TempDir Path dir) throws IOException {
    // Given the sample as docs/POOL.md shows it, its imports on top of a class and its statements in a method
    Matcher m = USAGE.matcher(Files.readString(Repo.path("docs/POOL.md")));
    assertThat(m.find()).as("a ```java block under docs/POOL.md's '## Usage'").isTrue();
    List<String> lines = m.group(1).lines().toList();
    String imports = lines.stream().filter(l -> l.startsWith("import ")).collect(Collectors.joining("\n"));
    String body = lines.stream().filter(l -> !l.startsWith("import ")).collect(Collectors.joining("\n"));
    assertThat(imports).as("the sample says where its classes come from").contains("import dev.ferry.core.pool.");
    Path source = dir.resolve("Sample.java");
    Files.writeString(source, imports + "\n\nclass Sample {\n" + STUBS
        + "\n  static void usage() throws Exception {\n" + body + "\n  }\n}\n");

    // When it is compiled with ferry-core's classes and the SLF4J API as the only class path
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.contains("ferry-core") || e.contains("slf4j-api"))
        .collect(Collectors.joining(File.pathSeparator));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled = javac.getTask(diagnostics, null, null,
        List.of("-classpath", classPath, "-d", dir.toString(), "-proc:none", "-Xlint:none"), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(source)).call();

    // Then it compiles without a diagnostic
    assertThat(classPath).contains("ferry-core");
    assertThat(diagnostics.toString()).as("javac on the sample of docs/POOL.md").isEmpty();
    assertThat(compiled).isTrue();
  }
}
