package dev.ferry.steps;

import dev.ferry.steps.template.Facts;
import dev.ferry.steps.template.JsonTemplate;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import dev.ferry.steps.template.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * A dry run's render of a call whose request nobody reads (no {@code --show-requests} sample watches the run): what
 * {@link RenderedCall#of} would raise for the row, without the request. Of the call's templates, in the order
 * {@code RenderedCall.of} renders them (path, query, headers, body leaves, idempotency key), only those that can fail
 * for a row of text fields ({@link Template#cannotFail}) are rendered, their values dropped; the key is rendered and
 * checked as a sent key is ({@link IdempotencyKeys}) unless its text is provably a valid key (literal text, {@code
 * job.id} and {@code source.row}: {@link Template#visibleAsciiBounds}). A template that cannot fail, left out, changes
 * no row's outcome or message (the first failure is the one a full render meets first: those before it cannot fail),
 * so a dry run still catches every row's error in every request, as docs/JOBS.md says, without writing bodies no one
 * reads. Immutable and threadsafe.
 */
final class UnshownCall {
  /** The templates to render, in order; the key's is last when it must be checked. */
  private final Template[] mayFail;
  private final Template key;
  private final StepResult.Ok dryRun;

  private UnshownCall(List<Template> mayFail, Template key, StepResult.Ok dryRun) {
    this.mayFail = mayFail.toArray(Template[]::new);
    this.key = key;
    this.dryRun = dryRun;
  }

  /**
   * The unshown render of {@code call} for rows that fit {@code facts} (a caller checks that a row's record is a CSV
   * one), or null when the call charges weights (rendered as they are).
   */
  static UnshownCall of(CallConfig call, Facts facts) {
    if (!call.charge().isEmpty()) return null;
    RequestTemplate r = call.request();
    List<Template> out = new ArrayList<>();
    keep(out, r.path(), facts);
    r.query().values().forEach(t -> keep(out, t, facts));
    r.headers().values().forEach(t -> keep(out, t, facts));
    if (r.body() != null) leaves(out, r.body(), facts);
    Template key = call.idempotencyKey();
    if (key != null && validKey(key, facts)) key = null;
    return new UnshownCall(out, key, new StepResult.Ok(Answer.capture(call, null), 0, "dry run", ""));
  }

  /** Whether every text the key can render is a valid idempotency key (1 to 255 visible ASCII characters). */
  static boolean validKey(Template key, Facts facts) {
    int[] b = key.visibleAsciiBounds(facts);
    return b != null && b[0] >= 1 && b[1] <= IdempotencyKeys.MAX_LENGTH;
  }

  private static void keep(List<Template> out, Template t, Facts facts) {
    if (!t.cannotFail(facts)) out.add(t);
  }

  private static void leaves(List<Template> out, JsonTemplate node, Facts facts) {
    switch (node) {
      case JsonTemplate.Leaf leaf -> keep(out, leaf.template(), facts);
      case JsonTemplate.Arr arr -> arr.items().forEach(i -> leaves(out, i, facts));
      case JsonTemplate.Obj obj -> obj.fields().values().forEach(v -> leaves(out, v, facts));
    }
  }

  /** The step's dry-run result for the row: its captures null, or its first template's failure. */
  StepResult run(RenderContext ctx) {
    try {
      for (Template t : mayFail) t.render(ctx);
      if (key != null) IdempotencyKeys.check(key, ctx);
    } catch (SpecException e) {
      return CallRunner.templateFailure(e);
    }
    return dryRun;
  }

  /** How many templates a row renders (for tests). */
  int rendered() {
    return mayFail.length + (key == null ? 0 : 1);
  }
}
