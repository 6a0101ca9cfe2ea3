package dev.ferry.steps.template;

import java.util.Map;
import java.util.Set;

/**
 * What is known of a row's values before any row is read, for {@link Template#cannotFail} and
 * {@link Template#visibleAsciiBounds}: whether the row's fields are text (a CSV row's are: a string, or null for a
 * missing column), which of the spec's vars are always text, a number, a boolean or null (a var whose template says
 * so), and the job's values ({@code job.id}), the same for every row. A conclusion drawn from them holds only for rows
 * that fit them: the caller checks that a row's record is a CSV one before relying on {@code rowText}. Immutable.
 *
 * @param rowText    {@code row.NAME} is a string or null
 * @param scalarVars the vars whose values are always a string, number, boolean or null
 * @param job        the job's values, as templates read them
 */
public record Facts(boolean rowText, Set<String> scalarVars, Map<String, Object> job) {
  public Facts {
    scalarVars = Set.copyOf(scalarVars);
    job = Map.copyOf(job);
  }

  /**
   * The facts of rows with text fields over these vars (in order: each var is rendered after those above it, so one
   * that reads a later var sees null there) and job values.
   */
  public static Facts ofTextRows(Map<String, Template> vars, Map<String, Object> job) {
    Facts f = new Facts(true, Set.of(), job);
    java.util.Set<String> scalar = new java.util.HashSet<>();
    for (Map.Entry<String, Template> v : vars.entrySet()) {
      // a var's own name is not scalar while its template is looked at: a read of itself (null then) stays unproven
      if (v.getValue().scalar(f)) scalar.add(v.getKey());
      f = new Facts(true, scalar, job);
    }
    return f;
  }
}
