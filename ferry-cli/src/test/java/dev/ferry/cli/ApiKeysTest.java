package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.sim.SimConfig;
import dev.ferry.sim.SimServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which environment variable the key comes from: WORKOS_SECRET_KEY, else WORKOS_API_KEY (the SDKs' name). */
class ApiKeysTest {
  static final String OURS = "sk_test_from_secret_key";
  static final String SDKS = "sk_test_from_api_key";

  @TempDir
  Path dir;

  @Test
  void anImportThroughTheCliTakesTheKeyFromWorkosApiKeyAndPrefersWorkosSecretKey() throws Exception {
    Path csv = StopConditionsTest.users(dir.resolve("users.csv"), 5);
    try (SimServer sim = SimServer.start(SimConfig.builder().requiredKey(SDKS).build())) {
      // When: only WORKOS_API_KEY is set, and it is the key the target wants
      CliRun sdk = CliRun.run(Map.of(ApiKeys.SDK_ENV, SDKS), args(csv, "sdk", sim));
      // Then: imported
      assertThat(sdk.exit()).as(sdk.toString()).isEqualTo(ExitCodes.OK);
      assertThat(sim.stats().usersCreated()).isEqualTo(5);

      // When: WORKOS_SECRET_KEY holds another key beside it
      CliRun both = CliRun.run(Map.of(ApiKeys.ENV, OURS, ApiKeys.SDK_ENV, SDKS), args(csv, "both", sim));
      // Then: WORKOS_SECRET_KEY was the one sent, and refused
      assertThat(both.exit()).as(both.toString()).isEqualTo(ExitCodes.STOPPED);
      assertThat(both.out() + both.err()).contains("refused the API key (HTTP 401)");
    }
  }

  private static String[] args(Path csv, String job, SimServer sim) {
    return new String[] {"import-users", "--csv", csv.toString(), "--job-id", job, "--api-url", sim.baseUrl().toString(),
        "--rate-limit", "none", "--quiet", "--checkpoint-dir", csv.resolveSibling(".ferry").toString()};
  }

  @Test
  void theSdksNameIsReadWhenOursIsNotSet() {
    assertThat(ApiKeys.load(null, Map.of(ApiKeys.SDK_ENV, SDKS)).occursIn("Bearer " + SDKS)).isTrue();
    assertThat(ApiKeys.load(null, Map.of(ApiKeys.ENV, " ", ApiKeys.SDK_ENV, SDKS)).occursIn(SDKS)).isTrue();
  }

  @Test
  void withBothSetWorkosSecretKeyWins() {
    var key = ApiKeys.load(null, Map.of(ApiKeys.ENV, OURS, ApiKeys.SDK_ENV, SDKS));
    assertThat(key.occursIn(OURS)).isTrue();
    assertThat(key.occursIn(SDKS)).isFalse();
  }

  @Test
  void withNeitherSetTheMessageNamesBoth() {
    assertThatThrownBy(() -> ApiKeys.load(null, Map.of())).isInstanceOfSatisfying(ExitException.class, e -> {
      assertThat(e.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(e.getMessage()).startsWith("WORKOS_SECRET_KEY (or WORKOS_API_KEY) is not set");
    });
  }

  @Test
  void aBadKeyIsReportedUnderTheNameItCameFromWithoutItsValue() {
    assertThatThrownBy(() -> ApiKeys.load(null, Map.of(ApiKeys.SDK_ENV, "sk_test_CANARY with space")))
        .isInstanceOf(ExitException.class).hasMessageStartingWith("WORKOS_API_KEY: ").hasMessageNotContaining("CANARY");
  }
}
