package dev.ferry.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests that scrape ferry: {@code # HELP}
 * and {@code # TYPE} lines, and samples {@code name{label="value",...} value [timestamp]} with escaped label
 * values. A malformed line throws, naming the line. Immutable.
 *
 * @param types   metric family name to its type (counter, gauge, histogram, summary, untyped)
 * @param samples every sample, in the order of the text
 */
public record PrometheusText(Map<String, String> types, List<Sample> samples) {
  private static final List<String> SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum", "_created");

  /** One sample line. Immutable. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** @throws IllegalArgumentException naming the first line that is not in the format */
  public static PrometheusText parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) continue;
      try {
        if (line.startsWith("# TYPE ")) {
          String[] p = line.substring(7).split(" ");
          if (p.length != 2 || !p[1].matches("counter|gauge|histogram|summary|untyped")) throw bad("TYPE line");
          if (types.put(p[0], p[1]) != null) throw bad("second TYPE for " + p[0]);
        } else if (line.startsWith("#")) {
          if (!line.startsWith("# HELP ")) throw bad("comment");
        } else {
          samples.add(sample(line));
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not Prometheus text (" + e.getMessage() + "): "
            + line, e);
      }
    }
    for (Sample s : samples) {
      if (family(types, s.name()) == null) throw new IllegalArgumentException("sample without a TYPE: " + s.name());
    }
    return new PrometheusText(Map.copyOf(types), List.copyOf(samples));
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
        || line.charAt(i) == ':')) {
      i++;
    }
    String name = line.substring(0, i);
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) throw bad("metric name");
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) throw bad("label name '" + label + "'");
        if (line.charAt(eq + 1) != '"') throw bad("label value of " + label);
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (line.charAt(j) != '"') {
          char c = line.charAt(j++);
          if (c == '\\') {
            char e = line.charAt(j++);
            value.append(switch (e) {
              case 'n' -> '\n';
              case '\\' -> '\\';
              case '"' -> '"';
              default -> throw bad("escape \\" + e);
            });
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) throw bad("label " + label + " twice");
        i = j + 1;
        if (line.charAt(i) == ',') i++;
        else if (line.charAt(i) != '}') throw bad("after label " + label);
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') throw bad("no value");
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length > 2) throw bad("too many fields");
    return new Sample(name, Map.copyOf(labels), value(rest[0]));
  }

  private static double value(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static IllegalArgumentException bad(String what) {
    return new IllegalArgumentException("bad " + what);
  }

  private static String family(Map<String, String> types, String sample) {
    for (String suffix : SUFFIXES) {
      if (sample.endsWith(suffix)) {
        String f = sample.substring(0, sample.length() - suffix.length());
        if (types.containsKey(f)) return f;
      }
    }
    return null;
  }

  /** The TYPE of the family a sample name belongs to ({@code ferry_rows_total} → counter), or null. */
  public String type(String sampleName) {
    String f = family(types, sampleName);
    return f == null ? null : types.get(f);
  }

  /** The samples named {@code name}. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The label names of the samples named {@code name}, each set sorted (several sets if they differ). */
  public Set<Set<String>> labelNames(String name) {
    return samples(name).stream().map(s -> (Set<String>) new TreeSet<>(s.labels().keySet()))
        .collect(Collectors.toSet());
  }

  /** The sum of the samples named {@code name} whose labels include {@code match}; 0 when none. */
  public double sum(String name, Map<String, String> match) {
    return samples(name).stream().filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  /** The one sample named {@code name} whose labels include {@code match}. @throws IllegalStateException otherwise */
  public double value(String name, Map<String, String> match) {
    List<Sample> found = samples(name).stream()
        .filter(s -> s.labels().entrySet().containsAll(match.entrySet())).toList();
    if (found.size() != 1) throw new IllegalStateException(found.size() + " samples " + name + match);
    return found.get(0).value();
  }
}
