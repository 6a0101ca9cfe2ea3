package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
  static final String SECRET = "tok\"en\\/\u00e9&a b\n";

  @Test
  void masksTheValueAsItIsJsonEscapedAndUrlEncoded() throws Exception {
    SecretMask m = SecretMask.of(List.of(SECRET));
    String jackson = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(SECRET);
    assertThat(m.mask("raw " + SECRET + " end")).isEqualTo("raw *** end");
    assertThat(m.mask("{\"a\":" + jackson + "}")).isEqualTo("{\"a\":\"***\"}");
    assertThat(m.mask("strict tok\\\"en\\\\\\/\\u00e9&a b\\n")).isEqualTo("strict ***");
    assertThat(m.mask("upper tok\\\"en\\\\\\/\\u00E9&a b\\n")).isEqualTo("upper ***");
    String form = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
    assertThat(m.mask("?t=" + form + "&x=1")).isEqualTo("?t=***&x=1");
    assertThat(m.mask("?t=" + form.replace("+", "%20"))).isEqualTo("?t=***");
    assertThat(m.occursIn("x" + form)).isTrue();
    assertThat(m.occursIn("tok")).isFalse();
  }

  @Test
  void shortValuesAndNullsAreNotMaskedAndNoneMasksNothing() {
    assertThat(SecretMask.of(List.of("abc", "")).isEmpty()).isTrue();
    assertThat(SecretMask.NONE.mask("abcd")).isEqualTo("abcd");
    assertThat(SecretMask.of(List.of("abcd")).mask(null)).isNull();
    SecretMask both = SecretMask.of(List.of("abcd")).and(List.of("wxyz"));
    assertThat(both.mask("abcd-wxyz")).isEqualTo("***-***");
    assertThat(both.toString()).doesNotContain("abcd");
  }

  @Test
  void masksTheValueEchoedInAnEncodingOfTheServersOwnCharacterByCharacter() {
    // Given: an API key and a value with characters every encoding treats apart
    String key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    SecretMask m = SecretMask.of(List.of(key, SECRET));
    StringBuilder upper = new StringBuilder();
    StringBuilder lower = new StringBuilder();
    StringBuilder unicode = new StringBuilder();
    StringBuilder html = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      upper.append(String.format("%%%02X", b));
      lower.append(String.format("%%%02x", b));
    }
    for (char c : key.toCharArray()) unicode.append(String.format("\\u%04X", (int) c));
    key.chars().forEach(c -> html.append("&#").append(c).append(';'));

    // When/Then: every byte percent-encoded (either case), every character \\uXXXX, HTML references: masked
    for (String form : List.of(upper.toString(), lower.toString(), unicode.toString(), html.toString())) {
      assertThat(m.mask("error: key " + form + " refused")).as(form).isEqualTo("error: key *** refused");
      assertThat(m.occursIn("k=" + form)).as(form).isTrue();
    }
    // a mix, as an encoder escaping some characters writes (Gson: '=' as \u003d; lower-case hex; twice-encoded)
    assertThat(m.mask("sk%5ftest_4eC39HqLyjWDarjtT1zdp7dc")).isEqualTo("***");
    assertThat(m.mask("sk%255Ftest%5F4eC39HqLyjWDarjtT1zdp7dc")).isEqualTo("***");
    assertThat(m.mask("\"sk_test_4eC39\\u0048qLyjWDarjtT1zdp7dc\"")).isEqualTo("\"***\"");
    // JSON holding JSON as a string: the escape's backslash escaped too (the raw body before parsing)
    assertThat(m.mask("{\"m\":\"" + unicode.toString().replace("\\", "\\\\") + "\"}")).isEqualTo("{\"m\":\"***\"}");
    // the value with quote, backslash, slash, non-ASCII, '&', space and newline: each in its own way
    assertThat(m.mask("tok&quot;en\\\\&#x2F;%C3%a9&amp;a+b\\n!")).isEqualTo("***!");
    assertThat(m.mask("tok%22en%5C%2F%C3%A9%26a%20b%0A")).isEqualTo("***");
    // what is not the value stays: a prefix, another key
    assertThat(m.mask("%73%6B%5F%74%65%73%74 sk_live_x")).isEqualTo("%73%6B%5F%74%65%73%74 sk_live_x");
    // a preview cut must read this far past the cut to mask a value straddling it
    assertThat(m.longestForm()).isGreaterThanOrEqualTo(unicode.length() * 3 / 2)
        .isGreaterThanOrEqualTo(html.length());
  }

  @Test
  void aSecretCutByAMessagesCutIsMaskedFromItsFirstCharactersInAnyForm() {
    // Given: an API's message cut to its first 300 characters (ApiMessage) before the row's secrets are masked
    String key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    SecretMask m = SecretMask.of(List.of(key));
    String head = "refused: " + "x".repeat(270) + " key=";
    StringBuilder percent = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) percent.append(String.format("%%%02x", b));

    for (String form : List.of(key, percent.toString())) {
      String cut = (head + form + " and more").substring(0, 300) + SecretMask.CUT;
      // When/Then: the secret's first characters before the mark are masked, as a whole secret would be
      assertThat(m.occursIn(cut)).as(form).isTrue();
      assertThat(m.mask(cut)).as(form).isEqualTo(head + "***" + SecretMask.CUT);
    }
    // a cut text ending in fewer than MIN_LENGTH of them, or in none, and an uncut text, stay as they are
    assertThat(m.mask(head + "sk_" + SecretMask.CUT)).isEqualTo(head + "sk_" + SecretMask.CUT);
    assertThat(m.mask(head + "abcd" + SecretMask.CUT)).isEqualTo(head + "abcd" + SecretMask.CUT);
    assertThat(m.mask(head + "sk_test_4eC")).isEqualTo(head + "sk_test_4eC");
    assertThat(m.occursIn(head + "abcd" + SecretMask.CUT)).isFalse();
  }

  @Test
  void encodedFormsAreFoundAroundTheirMarksInALongTextAndOnlyThere() {
    // Given: a long answer with the key fully percent-encoded in its middle, and marks elsewhere
    String key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    SecretMask m = SecretMask.of(List.of(key));
    StringBuilder percent = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) percent.append(String.format("%%%02X", b));
    String filler = "0.0123,".repeat(20_000);
    String text = filler + "a+b & c " + filler + "\"" + percent + "\" " + filler + "50%";

    // When/Then: masked where it is, the rest unchanged
    assertThat(m.mask(text)).isEqualTo(filler + "a+b & c " + filler + "\"***\" " + filler + "50%");
    assertThat(m.occursIn(text)).isTrue();
    assertThat(m.occursIn(filler + "a+b & c " + filler)).isFalse();
    // spans: 'longest' characters either side of each mark, merged where they meet
    assertThat(EncodedForms.spans("ab%cd+ef", 2).stream().map(java.util.Arrays::toString)).containsExactly("[1, 7]");
    assertThat(EncodedForms.spans("a%" + "x".repeat(10) + "&b", 2).stream().map(java.util.Arrays::toString))
        .containsExactly("[0, 3]", "[11, 14]");
    assertThat(EncodedForms.spans("plain", 40)).isEmpty();
  }
}
