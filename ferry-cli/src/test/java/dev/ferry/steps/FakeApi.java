package dev.ferry.steps;

import dev.ferry.core.time.Sleeper;
import dev.ferry.core.time.Ticker;
import dev.ferry.http.ApiCall;
import dev.ferry.http.ApiResponse;
import dev.ferry.http.TargetHeaders;
import dev.ferry.steps.template.SpecLocation;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A scripted API behind a {@link StepTarget}: answers each call with {@code script}, and records the calls. */
final class FakeApi implements StepTarget.Sender {
  private final Function<ApiCall, ApiResponse> script;
  final List<ApiCall> calls = new CopyOnWriteArrayList<>();

  FakeApi(Function<ApiCall, ApiResponse> script) {
    this.script = script;
  }

  static ApiResponse answer(int status, String body) {
    return new ApiResponse(status, body, "req_" + status, 1, false, "");
  }

  /** A transient failure after HttpTarget's retries. */
  static ApiResponse exhausted(int status) {
    return new ApiResponse(status, "{\"message\":\"busy\"}", "", 3, true, "");
  }

  @Override
  public ApiResponse call(ApiCall call) {
    calls.add(call);
    return script.apply(call);
  }

  StepTarget target(String name, TargetLimits limits, Ticker ticker, Sleeper sleeper) {
    TargetConfig config = new TargetConfig(name, SpecLocation.UNKNOWN, URI.create("http://127.0.0.1:1/"), Map.of(),
        limits, null);
    return new StepTarget(config, TargetHeaders.none(), TargetLimiters.of(name, limits, 1.0, ticker, sleeper), this,
        null);
  }
}
