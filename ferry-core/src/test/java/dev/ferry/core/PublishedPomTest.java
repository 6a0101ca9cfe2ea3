package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a service gets with {@code dev.ferry:ferry-core}: the SLF4J API and nothing else at run time. Checked twice:
 * in the POM that is published (this module's pom.xml and the parent it names, as written: declared dependencies,
 * profiles included, that are neither test nor provided scope nor optional) and in what Maven resolved for this
 * build (the dependency plugin's list of the runtime scope, transitive and inherited dependencies included,
 * written to target/runtime-dependencies.txt before the tests run).
 */
class PublishedPomTest {
  private static final List<String> ONLY = List.of("org.slf4j:slf4j-api");

  @Test
  void thePublishedPomDeclaresOnlyTheSlf4jApiForRunTime() throws Exception {
    Document pom = parse(Path.of("pom.xml"));
    assertThat(text(pom.getDocumentElement(), "artifactId")).isEqualTo("ferry-core");
    Element parentRef = child(pom.getDocumentElement(), "parent");
    Document parent = parse(parentPom(parentRef));
    assertThat(text(parent.getDocumentElement(), "artifactId")).isEqualTo(text(parentRef, "artifactId"));

    List<String> runtime = new ArrayList<>();
    runtime.addAll(runtimeDependencies(pom));
    runtime.addAll(runtimeDependencies(parent));
    assertThat(runtime).containsExactlyElementsOf(ONLY);
  }

  @Test
  void theResolvedRuntimeDependenciesAreOnlyTheSlf4jApi() throws IOException {
    Path list = Path.of("target/runtime-dependencies.txt");
    assertThat(list).as("written by maven-dependency-plugin:list (generate-test-resources)").isRegularFile();
    // lines like "   org.slf4j:slf4j-api:jar:2.0.20:compile -- module org.slf4j"
    Matcher m = Pattern.compile("(?m)^\\s+([\\w.\\-]+):([\\w.\\-]+):[\\w.\\-]+:.*?:(compile|runtime)\\b")
        .matcher(Files.readString(list));
    List<String> resolved = new ArrayList<>();
    while (m.find()) resolved.add(m.group(1) + ":" + m.group(2));
    assertThat(resolved).containsExactlyElementsOf(ONLY);
  }

  /** groupId:artifactId of each dependency under project/dependencies or a profile's, that reaches run time. */
  private static List<String> runtimeDependencies(Document pom) {
    List<String> out = new ArrayList<>();
    NodeList deps = pom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      Node list = d.getParentNode();
      Node owner = list.getParentNode();
      if (!"dependencies".equals(list.getNodeName())) continue;
      // dependencyManagement and plugins' dependencies are not the artifact's dependencies
      if (!"project".equals(owner.getNodeName()) && !"profile".equals(owner.getNodeName())) continue;
      String scope = text(d, "scope");
      if (scope.equals("test") || scope.equals("provided") || text(d, "optional").equals("true")) continue;
      out.add(text(d, "groupId") + ":" + text(d, "artifactId"));
    }
    return out;
  }

  /** Where Maven looks for the parent: relativePath, ../pom.xml by default; a folder means its pom.xml. */
  private static Path parentPom(Element parentRef) {
    String rel = text(parentRef, "relativePath");
    Path p = Path.of(rel.isEmpty() ? "../pom.xml" : rel);
    return Files.isDirectory(p) ? p.resolve("pom.xml") : p;
  }

  private static Document parse(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  private static Element child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getTagName().equals(name)) return c;
    }
    return null;
  }

  private static String text(Element e, String name) {
    Element c = child(e, name);
    return c == null ? "" : c.getTextContent().strip();
  }
}
