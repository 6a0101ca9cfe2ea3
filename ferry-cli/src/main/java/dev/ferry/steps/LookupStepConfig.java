package dev.ferry.steps;

import dev.ferry.steps.template.SpecLocation;
import dev.ferry.steps.template.Template;
import java.util.Objects;

/**
 * Lookup-or-create keyed by a template: the organization cache of the WorkOS import, made general. Rows with the
 * same key share one answer: the first row to need a key runs {@code find} (and, when nothing is found,
 * {@code create}) while every other row with that key, in any worker of the process, waits for it
 * (single-flight); the answer's captures are cached in the job's store under {@code namespace}, so other processes
 * and resumes reuse them without a request. Immutable.
 *
 * <p>Found means {@code find} answered ok and its first capture is not null ({@code $.data[0].id} of an empty
 * list is null: not found); a 404 is not found too. A 409 from {@code create} (someone created it meanwhile) runs
 * {@code find} again. A failure that is not retryable is cached for the run (every row with the key fails with it),
 * a retryable one is not.
 *
 * @param name      the step's name
 * @param location  where it was declared
 * @param when      condition, or null
 * @param target    the target's name
 * @param key       the cache key per row (e.g. {@code {{ row.org_external_id }}}); rows whose key renders ""
 *                  skip the step
 * @param namespace the store's namespace for the cache (defaults to the step's name)
 * @param find      the call that finds an existing item; its captures are the step's results
 * @param create    the call that creates a missing item (with the same capture names), or null: not found then
 *                  fails the row with 404
 * @param createWhen condition rendered for the row that resolves a missing key, or null (always): when false, not
 *                  found fails the row with 404 as without {@code create} (e.g. {@code --create-org-if-missing})
 * @param notFound  the code and message of a row failing as not found, or null for {@code not_found} and a message
 *                  naming the step and key
 * @param prewarm   the keys the source holds are found when the job is planned and resolved before its rows
 *                  ({@link JobSteps#prewarm}); its templates then read no step
 */
public record LookupStepConfig(String name, SpecLocation location, Template when, String target, Template key,
    String namespace, CallConfig find, CallConfig create, Template createWhen, NotFound notFound, boolean prewarm)
    implements StepConfig {
  /**
   * How a row whose key was not found fails. Immutable.
   *
   * @param code    its code
   * @param message its message rendered for the row, or null for the default
   */
  public record NotFound(String code, Template message) {
    public NotFound {
      Objects.requireNonNull(code, "code cannot be null");
    }
  }

  /** A lookup whose not-found rows fail with {@code not_found}. */
  public LookupStepConfig(String name, SpecLocation location, Template when, String target, Template key,
      String namespace, CallConfig find, CallConfig create, Template createWhen) {
    this(name, location, when, target, key, namespace, find, create, createWhen, null, false);
  }

  public LookupStepConfig {
    Objects.requireNonNull(name, "name cannot be null");
    Objects.requireNonNull(location, "location cannot be null");
    Objects.requireNonNull(target, "target cannot be null");
    Objects.requireNonNull(key, "key cannot be null");
    Objects.requireNonNull(find, "find cannot be null");
    namespace = namespace == null || namespace.isBlank() ? name : namespace;
    if (find.capture().isEmpty()) throw new IllegalArgumentException("a lookup's find call must capture a value");
    if (createWhen != null && create == null) throw new IllegalArgumentException("create_when needs a create call");
  }

  /** A lookup that creates whenever nothing is found (when it has a create call). */
  public LookupStepConfig(String name, SpecLocation location, Template when, String target, Template key,
      String namespace, CallConfig find, CallConfig create) {
    this(name, location, when, target, key, namespace, find, create, null);
  }
}
