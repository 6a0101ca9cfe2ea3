package dev.ferry.core.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvUtf8Test {

  private static boolean jdkSaysValid(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void agreesWithTheJdkDecoderOnKnownCases() {
    String[] valid = {"", "plain", "René", "日本", "\uD83D\uDE00", "\u0080", "\u07FF", "\uFFFF", "\uDBFF\uDFFF"};
    for (String s : valid) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Utf8.isValid(b, 0, b.length)).as(s).isTrue();
    }
    int[][] invalid = {
        {0xE9}, {0x80}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x80, 0xAF}, {0xED, 0xA0, 0x80},
        {0xF0, 0x80, 0x80, 0xAF}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xE2, 0x82},
        {0xC3}, {0xF0, 0x9F, 0x98}};
    for (int[] codes : invalid) {
      byte[] b = new byte[codes.length];
      for (int i = 0; i < codes.length; i++) {
        b[i] = (byte) codes[i];
      }
      assertThat(Utf8.isValid(b, 0, b.length)).as(java.util.Arrays.toString(codes)).isFalse();
      assertThat(jdkSaysValid(b)).isFalse();
    }
  }

  @Test
  void agreesWithTheJdkDecoderOnRandomBytes() {
    Random random = new Random(42);
    for (int n = 0; n < 50_000; n++) {
      byte[] b = new byte[1 + random.nextInt(6)];
      for (int i = 0; i < b.length; i++) {
        // favour the interesting range: lead and continuation bytes
        b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(128) : 0x80 + random.nextInt(128));
      }
      if (Utf8.isValid(b, 0, b.length) != jdkSaysValid(b)) {
        assertThat(Utf8.isValid(b, 0, b.length)).as(java.util.HexFormat.of().formatHex(b)).isEqualTo(jdkSaysValid(b));
      }
    }
  }

  @Test
  void checksOnlyTheGivenRange() {
    byte[] b = {(byte) 0xE9, 'a', 'b', (byte) 0xC3, (byte) 0xA9, (byte) 0xE9};

    assertThat(Utf8.isValid(b, 1, 5)).isTrue();
    assertThat(Utf8.isValid(b, 1, 4)).isFalse();
    assertThat(Utf8.isValid(b, 0, 3)).isFalse();
  }
}
