package dev.ferry.recipes.workos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.limit.RateLimitSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImportSettingsTest {

  @ParameterizedTest
  @ValueSource(strings = {"50", "12.5", "500/10s", "6000/1m", "none"})
  void theRateLimitAsStatedSurvivesTheJobsStoredSettings(String limit) {
    // Given a job started with a rate limit, and a role mapping
    ImportSettings settings = new ImportSettings("http://127.0.0.1:1", false, "", "org_ext", true, "Acme", true,
        Map.of("ext-1", "admin"), true, new ImportSettings.RunDefaults(3, 0, RateLimitSpec.parse(limit), 12_000));
    // When resume reads what was stored
    ImportSettings back = ImportSettings.fromJson(settings.toJson());
    // Then it runs with the same settings
    assertThat(back).isEqualTo(settings);
    assertThat(back.run().rateLimit().text()).isEqualTo(RateLimitSpec.parse(limit).text());
  }

  @Test
  void settingsStoredBeforeBudgetsExistedReadAsARate() {
    ImportSettings old = ImportSettings.fromJson("{\"api_url\":\"http://x\",\"run\":{\"workers\":4,"
        + "\"concurrency\":10,\"rate_limit\":50.0,\"request_timeout_ms\":30000}}");
    assertThat(old.run().rateLimit()).isEqualTo(RateLimitSpec.rate(50));
  }
}
