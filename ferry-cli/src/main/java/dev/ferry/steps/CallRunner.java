package dev.ferry.steps;

import dev.ferry.core.engine.StopJobException;
import dev.ferry.core.retry.RetryPolicy;
import dev.ferry.core.time.Sleeper;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.AuthFailureException;
import dev.ferry.http.ResponseClass;
import dev.ferry.steps.template.RenderContext;
import dev.ferry.steps.template.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Sends a step's calls and reads their answers by the step's {@link ResponseRules}: ok → captures; exists → done
 * ("existing"), its captures from a follow-up call when declared; final → the row fails; retry → sent again with
 * backoff (HttpTarget already retried 429, 5xx and timeouts; this adds statuses a spec declares retryable) and then
 * failed-retryable; stop → the job stops. In a dry run it renders, reports and sends nothing. Threadsafe (no state
 * of its own beyond immutable settings).
 */
final class CallRunner {
  private final boolean dryRun;
  private final Consumer<RenderedRequest> rendered;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final boolean redirectsStop;

  CallRunner(boolean dryRun, Consumer<RenderedRequest> rendered, RetryPolicy retry, Sleeper sleeper,
      DoubleSupplier random) {
    this(dryRun, rendered, retry, sleeper, random, false);
  }

  /**
   * @param redirectsStop a 3xx (but 304) the step's {@code on} does not name stops the job, as a 401 does (a job's
   *     steps); else it fails the row for good (a service's, whose items keep their own handling)
   */
  CallRunner(boolean dryRun, Consumer<RenderedRequest> rendered, RetryPolicy retry, Sleeper sleeper,
      DoubleSupplier random, boolean redirectsStop) {
    this.dryRun = dryRun;
    this.rendered = rendered;
    this.retry = retry;
    this.sleeper = sleeper;
    this.random = random;
    this.redirectsStop = redirectsStop;
  }

  boolean dryRun() {
    return dryRun;
  }

  /**
   * Renders and sends one call for one row (or batch) and reads its answer into the step's result.
   *
   * @throws StopJobException when the answer's rule is stop
   */
  StepResult run(String step, StepTarget target, CallConfig call, RenderContext ctx, long row)
      throws InterruptedException {
    RenderedCall rc;
    try {
      rc = RenderedCall.of(call, ctx);
    } catch (SpecException e) {
      return templateFailure(e);
    }
    if (dryRun) return dryRun(step, target, call, rc, row);
    Answer a = send(step, target, call.rules(), rc);
    return read(step, target, call, a, ctx, row);
  }

  /** What the answer means when it is about this one row. */
  StepResult read(String step, StepTarget target, CallConfig call, Answer a, RenderContext ctx, long row)
      throws InterruptedException {
    ApiResponse r = a.response();
    StatusAction action = a.rule().action();
    if ((action == StatusAction.OK || action == StatusAction.EXISTS && a.rule().then() == null)
        && !call.capture().isEmpty() && !Answer.mayHoldJson(r.body())) {
      return notJson(target, a);
    }
    return switch (action) {
      case OK -> new StepResult.Ok(a.captures(call), r.status(), "", r.requestId());
      case EXISTS -> {
        if (a.rule().then() == null) {
          yield new StepResult.Ok(a.captures(call), r.status(), "existing", r.requestId());
        }
        StepResult then = run(step, target, a.rule().then(), ctx, row);
        yield then instanceof StepResult.Ok ok
            ? new StepResult.Ok(ok.captures(), r.status(), "existing", ok.requestId()) : then;
      }
      case FINAL -> failure(target, a, false);
      case RETRY -> failure(target, a, true);
      case STOP -> throw stop(step, target, a.status(), a.message().message());
    };
  }

  /**
   * Sends a rendered call until its answer is not one to retry here: a status declared {@code retry} that HttpTarget
   * returned without retrying is sent again with backoff, up to the retry policy's attempts.
   *
   * @throws StopJobException on 401/403 when the rules say stop (their default), or when the target cannot be used
   *     at all ({@link dev.ferry.http.TargetUnusableException})
   */
  Answer send(String step, StepTarget target, ResponseRules rules, RenderedCall rc) throws InterruptedException {
    int retries = 0;
    while (true) {
      ApiResponse r;
      try {
        r = target.send(rc, step);
      } catch (AuthFailureException e) {
        StatusRule rule = rules.ruleFor(e.status());
        if (rule.action() == StatusAction.STOP) {
          String own = target.config().refused().get(e.status());
          if (own != null) {
            int q = rc.pathAndQuery().indexOf('?');
            throw new StopJobException(own.replace("{method}", rc.method())
                .replace("{path}", q < 0 ? rc.pathAndQuery() : rc.pathAndQuery().substring(0, q)));
          }
          throw stop(step, target, e.status(), "");
        }
        return new Answer(new ApiResponse(e.status(), "", "", 1, false, ""), rule);
      } catch (dev.ferry.http.TargetUnusableException e) {
        // refused connections from the start, an untrusted certificate, a proxy refusing its credentials: no row
        // can succeed, so the job stops before any row is marked (as the import does), resumable once fixed
        // (the cause says so to a service, which keeps its items instead: docs/SERVE.md)
        StopJobException stop = new StopJobException(e.getMessage());
        stop.initCause(e);
        throw stop;
      }
      StatusRule rule = rules.ruleFor(r.status(), r.body());
      if (redirectsStop && redirect(r.status()) && !rules.declares(r.status())) {
        // ferry never follows a redirect, and a target that redirects one request redirects them all (http for
        // https, an old host, a base_url missing its version): every row would fail for good, 50 of them before the
        // job paused. The job stops at once instead, the row unmarked, resumable once base_url is fixed.
        throw stop(step, target, r.status(), new Answer(r, rule).message().message());
      }
      if (r.status() == 429 && rule.action() == StatusAction.RETRY && outOfQuota(r)) {
        // OpenAI's 429 insufficient_quota: the account is out of credit; no row can succeed until someone pays
        throw new StopJobException("target '" + target.name() + "' is out of quota (HTTP 429 insufficient_quota): "
            + target.scrub(ApiMessage.of(r).message()));
      }
      // HttpTarget already retried what ResponseClass calls throttled or transient: only other statuses a spec
      // declares retryable are sent again here
      ResponseClass cls = ResponseClass.of(r.status(), false);
      boolean again = rule.action() == StatusAction.RETRY && !r.transientExhausted() && cls == ResponseClass.FINAL
          && ++retries < retry.maxAttempts();
      if (!again) return new Answer(r, rule);
      sleeper.sleepNanos(retry.backoffNanos(retries, random.getAsDouble()));
    }
  }

  /** A redirect ferry's transport refused to follow (a 304 is no redirect: an answer to a conditional request). */
  static boolean redirect(int status) {
    return status >= 300 && status < 400 && status != 304;
  }

  private static boolean outOfQuota(ApiResponse r) {
    return r.body() != null && r.body().contains("insufficient_quota")
        && "insufficient_quota".equals(ApiMessage.of(r).code());
  }

  StepResult.Failed failure(StepTarget target, Answer a, boolean retryable) {
    ApiMessage m = a.message();
    return new StepResult.Failed(a.status(), m.code(), target.scrub(m.message()), a.response().requestId(),
        retryable);
  }

  /**
   * A success whose body is text but not JSON, from a step that captures from it: not the API's answer (a login page, a
   * proxy's or a gateway's), so the row fails, retryable, instead of going done with every capture null (a lookup would
   * have taken it for "not found" and created the item again). An empty body keeps its null captures (a 201 or 204 with
   * no body is an API's answer).
   */
  private static StepResult.Failed notJson(StepTarget target, Answer a) {
    ApiResponse r = a.response();
    String type = r.body().stripLeading().startsWith("<") ? "HTML or XML" : "text";
    return new StepResult.Failed(r.status(), "answer_not_json", "target '" + target.name() + "' answered HTTP "
        + r.status() + " with " + type + " (" + r.body().length() + " characters), not JSON: nothing to capture;"
        + " a proxy, a login page or a wrong base_url answered?", r.requestId(), true);
  }

  static StepResult.Failed templateFailure(SpecException e) {
    return new StepResult.Failed(0, "template", e.getMessage(), "", false);
  }

  StopJobException stop(String step, StepTarget target, int status, String detail) {
    String why = switch (status) {
      case 401 -> "target '" + target.name() + "' refused the credentials (HTTP 401): check its headers (the API key"
          + " in the environment) and base_url";
      case 403 -> "target '" + target.name() + "' refused step '" + step + "' (HTTP 403): check the key's rights";
      case 300, 301, 302, 303, 305, 306, 307, 308 -> "target '" + target.name() + "' redirected step '" + step
          + "', so no row can get past it";
      default -> "target '" + target.name() + "' answered HTTP " + status + " to step '" + step
          + "', which the spec says stops the job";
    };
    return new StopJobException(detail == null || detail.isEmpty() ? why : why + ": " + target.scrub(detail));
  }

  private StepResult dryRun(String step, StepTarget target, CallConfig call, RenderedCall rc, long row) {
    if (rendered != null) {
      List<String[]> headers = new ArrayList<>();
      for (String n : target.headerNames()) headers.add(new String[] {n, "***"});
      if (rc.idempotencyKey() != null) headers.add(new String[] {"Idempotency-Key", rc.idempotencyKey()});
      for (int i = 0; i < rc.headers().size(); i += 2) {
        headers.add(new String[] {rc.headers().get(i), rc.headers().get(i + 1)});
      }
      rendered.accept(new RenderedRequest(row, step, target.name(), rc.method(), target.url(rc.pathAndQuery()),
          headers, rc.jsonBody()));
    }
    Map<String, Object> nulls = Answer.capture(call, null); // every path of nothing is null
    return new StepResult.Ok(nulls, 0, "dry run", "");
  }
}
