package dev.ferry.recipes.workos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.engine.RowInput;
import dev.ferry.core.engine.RowProcessor;
import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.spi.Outcome;
import dev.ferry.core.spi.RowOutcome;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.AuthFailureException;
import dev.ferry.http.HttpTarget;
import dev.ferry.http.SecretMask;
import dev.ferry.http.TargetUnusableException;

/**
 * One row of the WorkOS user import: validate; resolve the organization (shared cache); create the user, or
 * find it when it already exists; create the membership (409 = already there). Every create carries an
 * idempotency key derived from (job, row, step), so a row re-sent after a crash is answered, not doubled.
 *
 * <p>Threadsafe: holds only immutable settings and threadsafe collaborators.
 */
final class ImportProcessor implements RowProcessor {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final String jobId;
  private final Columns columns;
  private final RowValidator validator;
  private final ImportSettings settings;
  private final HttpTarget target;
  private final OrgResolver orgs;
  private final ImportStats stats;

  ImportProcessor(String jobId, Columns columns, ImportSettings settings, HttpTarget target, OrgResolver orgs,
      ImportStats stats) {
    this.jobId = jobId;
    this.columns = columns;
    this.validator = new RowValidator(columns, settings);
    this.settings = settings;
    this.target = target;
    this.orgs = orgs;
    this.stats = stats;
  }

  /** A dry run sends nothing: its rows run inline and its DONE rows are recorded per chunk. */
  @Override
  public boolean sideEffectFree() {
    return settings.dryRun();
  }

  @Override
  public RowOutcome process(RowInput in) throws InterruptedException {
    RowValidator.Result v = validator.validate(in);
    if (!v.ok()) {
      RowValidator.Problem p = v.problem();
      // A malformed record's "email" may hold the rest of the file (an unterminated quote): never keep that.
      String emailKey = RowValidator.keyOf(in.field(columns.email), in.error() != null);
      return RowOutcome.invalid(in.row(), in.chunk(), in.line(), emailKey, p.code(), p.message());
    }
    UserRow u = v.row();
    if (settings.dryRun()) {
      Payloads.createUser(u);
      if (u.hasOrg()) Payloads.createMembership("user_dry_run", "org_dry_run", u.roles());
      return RowOutcome.done(in.row(), in.chunk(), in.line(), u.email(), "dry_run");
    }
    try {
      return send(in, u);
    } catch (AuthFailureException | TargetUnusableException e) {
      throw new StopJobException(e.getMessage());
    }
  }

  private RowOutcome send(RowInput in, UserRow u) throws InterruptedException {
    String orgId = null;
    if (u.hasOrg()) {
      OrgResolver.Resolution org = orgs.resolve(OrgResolver.key(u), u.orgName());
      if (!org.ok()) {
        return failed(in, u, "organization", org.status(), org.code(), org.message(), org.requestId(), org.retryable());
      }
      orgId = org.orgId();
    }
    ApiResponse created = call(ApiCall.post("/user_management/users", Payloads.createUser(u),
        idempotencyKey(in, "user"), "create_user"));
    String userId;
    boolean createdNow;
    if (created.ok()) {
      userId = OrgResolver.idOf(created);
      createdNow = true;
      stats.usersCreated.increment();
    } else if (alreadyExists(created)) {
      ApiResponse found = call(ApiCall.get("/user_management/users?email=" + OrgResolver.enc(u.email()),
          "find_user"));
      userId = found.ok() ? firstId(found) : null;
      if (userId == null) {
        ApiError e = ApiError.of(created);
        return found.ok() || !found.transientExhausted()
            ? failed(in, u, "create_user", created.status(), e.detailCode(), e.message(), created.requestId(), false)
            : failed(in, u, "find_user", found.status(), ApiError.of(found).detailCode(), ApiError.of(found).message(),
                found.requestId(), true);
      }
      createdNow = false;
      stats.usersExisting.increment();
    } else {
      ApiError e = ApiError.of(created);
      return failed(in, u, "create_user", created.status(), e.detailCode(), e.message(), created.requestId(),
          created.transientExhausted());
    }
    if (orgId == null) {
      return RowOutcome.done(in.row(), in.chunk(), in.line(), u.email(), createdNow ? "created" : "existing");
    }
    ApiResponse membership = call(ApiCall.post("/user_management/organization_memberships",
        Payloads.createMembership(userId, orgId, u.roles()), idempotencyKey(in, "membership"), "create_membership"));
    if (membership.ok()) {
      stats.membershipsCreated.increment();
    } else if (membership.status() == 409) {
      stats.membershipsExisting.increment();
    } else {
      ApiError e = ApiError.of(membership);
      String message = e.message();
      if (settings.requireMembership() && createdNow && !membership.transientExhausted()) {
        ApiResponse deleted = call(ApiCall.delete("/user_management/users/" + OrgResolver.enc(userId),
            "delete_user"));
        if (deleted.ok() || deleted.status() == 404) {
          stats.usersDeleted.increment();
          message += " (user deleted: --require-membership)";
        } else {
          message += " (--require-membership: deleting the user failed with HTTP " + deleted.status() + ")";
        }
      }
      return failed(in, u, "membership", membership.status(), e.detailCode(), message, membership.requestId(),
          membership.transientExhausted());
    }
    return RowOutcome.done(in.row(), in.chunk(), in.line(), u.email(), createdNow ? "created" : "existing");
  }

  /** One call; a redirect stops the job ({@link Redirects}). */
  private ApiResponse call(ApiCall c) throws InterruptedException {
    return Redirects.refuse(target.call(c), c.callType());
  }

  private String idempotencyKey(RowInput in, String step) {
    return "ferry-" + jobId + "-" + in.row() + "-" + step;
  }

  /** The answers WorkOS gives when the email (or external_id) is taken. */
  static boolean alreadyExists(ApiResponse r) {
    if (r.status() == 409) return true;
    if (r.status() != 422 && r.status() != 400) return false;
    ApiError e = ApiError.of(r);
    return e.has("user_already_exists") || e.has("email_not_available") || e.has("external_id_already_used");
  }

  private static String firstId(ApiResponse r) {
    try {
      JsonNode data = JSON.readTree(r.body()).path("data");
      return data.isArray() && !data.isEmpty() ? data.get(0).path("id").asText(null) : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static RowOutcome failed(RowInput in, UserRow u, String step, int status, String code, String message,
      String requestId, boolean retryable) {
    return new RowOutcome(in.row(), in.chunk(), in.line(), Outcome.FAILED, retryable, u.email(), step, status, code,
        scrub(message, u), requestId, "");
  }

  /**
   * An API that echoes the request in its error must not put the row's password or hash into the ledger, as they
   * are or encoded ({@link SecretMask}).
   */
  static String scrub(String message, UserRow u) {
    if (message == null || message.isEmpty()) return message;
    return SecretMask.of(java.util.Arrays.asList(u.password(), u.passwordHash())).mask(message);
  }
}
