package dev.ferry.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spec.ServeConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureCheckTest {
  private final SignatureCheck check = new SignatureCheck(new ServeConfig.Signature("X-Firecrawl-Signature",
      "sha256=", "secret"));
  private final byte[] body = "{\"type\":\"crawl.page\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void acceptsTheHmacOfTheRawBodyAndNothingElse() {
    String good = SignatureCheck.sign("secret", "sha256=", body);
    // HMAC-SHA256("secret", body) computed independently (openssl dgst -sha256 -hmac secret)
    assertThat(good).isEqualTo("sha256=4c9a61de3ea33afc7e029c16511fee170cfd3aef2b146b7e0c14ee60c3c1c47f");
    assertThat(check.valid(body, good)).isTrue();
    assertThat(check.valid(body, good.toUpperCase().replace("SHA256=", "sha256="))).isTrue(); // hex case
    assertThat(check.valid(body, null)).isFalse();
    assertThat(check.valid(body, "")).isFalse();
    assertThat(check.valid(body, good.substring("sha256=".length()))).isFalse(); // prefix missing
    assertThat(check.valid(body, SignatureCheck.sign("other", "sha256=", body))).isFalse();
    assertThat(check.valid("{}".getBytes(StandardCharsets.UTF_8), good)).isFalse();
  }

  @Test
  void neverShowsTheSecret() {
    assertThat(new ServeConfig.Signature("h", "", "hunter2").toString()).doesNotContain("hunter2");
  }
}
