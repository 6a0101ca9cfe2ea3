package dev.ferry.spec;

import dev.ferry.steps.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which {@code vars.NAME} the spec's templates read, checked against the vars it declares: a var reads only the vars
 * above it (they are computed in written order, so a var below, or itself, would read null), and any other template
 * reads only declared vars (a misspelt name would read null for every row, silently). A template that reads vars by
 * a computed name ({@link Template#varsRead} null) is not checked. Not threadsafe: one per load.
 */
final class VarReads {
  private record Read(Node node, Template template) {}

  private final List<Read> templates = new ArrayList<>();

  /** Notes a template of the spec, made from {@code node}. */
  Template note(Node node, Template template) {
    templates.add(new Read(node, template));
    return template;
  }

  /**
   * The row's columns the noted templates read by a literal name ({@code row.NAME}), for the planning's check of a CSV
   * header; null when one reads the row otherwise (any column may be read).
   */
  Set<String> columnsRead() {
    Set<String> all = new java.util.TreeSet<>();
    for (Read r : templates) {
      Set<String> read = r.template().columnsRead();
      if (read == null) return null;
      all.addAll(read);
    }
    return all;
  }

  /** The errors, as {@code node → message}, for the spec's {@code vars} (in written order). */
  List<Map.Entry<Node, String>> check(Map<String, Template> vars) {
    List<String> names = List.copyOf(vars.keySet());
    List<Map.Entry<Node, String>> errors = new ArrayList<>();
    for (Read r : templates) {
      int self = -1;
      for (int i = 0; i < names.size(); i++) if (vars.get(names.get(i)) == r.template()) self = i;
      Set<String> read = r.template().varsRead();
      if (read == null) continue;
      for (String name : read) {
        int at = names.indexOf(name);
        if (at < 0) {
          String near = Suggest.closest(name, names);
          errors.add(Map.entry(r.node(), "reads vars." + name + ", but no var is named '" + name + "'"
              + (near != null ? " (did you mean '" + near + "'?)" : "")
              + (names.isEmpty() ? "; the spec has no vars" : "; vars: " + String.join(", ", names))));
        } else if (self >= 0 && at >= self) {
          errors.add(Map.entry(r.node(), "vars." + names.get(self) + " reads vars." + name + ", which is computed "
              + (at == self ? "by itself" : "after it") + ": vars are computed in written order, each reading only"
              + " the vars above it"));
        }
      }
    }
    return errors;
  }
}
