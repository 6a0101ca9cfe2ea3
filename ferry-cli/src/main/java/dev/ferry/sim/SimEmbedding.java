package dev.ferry.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * The vectors the simulator's embeddings endpoint answers: a pure function of (model, text, dimensions), so a test
 * can prove that a stored point holds its own document's vector. The 64-bit FNV-1a hash of
 * {@code model + '\0' + text} (UTF-8) seeds a {@link SplittableRandom}; its first {@code dimensions} doubles in
 * [-1, 1) are scaled to unit length and narrowed to floats. A shorter vector is therefore the normalised prefix of a
 * longer one, as OpenAI's shortened embeddings are.
 *
 * <p>Stateless; threadsafe.
 */
public final class SimEmbedding {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private SimEmbedding() {}

  /**
   * The vector the simulator gives {@code text} under {@code model}.
   *
   * @throws IllegalArgumentException when {@code dimensions} is not positive
   */
  public static float[] vector(String model, String text, int dimensions) {
    if (dimensions < 1) throw new IllegalArgumentException("dimensions must be >= 1, was " + dimensions);
    SplittableRandom random = new SplittableRandom(seed(model, text));
    double[] raw = new double[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      raw[i] = random.nextDouble() * 2 - 1;
      norm += raw[i] * raw[i];
    }
    float[] out = new float[dimensions];
    if (norm == 0) {
      out[0] = 1; // never in practice; keeps the vector of unit length
      return out;
    }
    double scale = 1 / Math.sqrt(norm);
    for (int i = 0; i < dimensions; i++) out[i] = (float) (raw[i] * scale);
    return out;
  }

  /** {@code encoding_format: base64}: the floats as little-endian IEEE 754 binary32, in standard base64. */
  static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : vector) bytes.putFloat(f);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static long seed(String model, String text) {
    long h = FNV_OFFSET;
    h = fnv(h, model.getBytes(StandardCharsets.UTF_8));
    h *= FNV_PRIME; // the separator: a zero byte (xor with 0 changes nothing)
    return fnv(h, text.getBytes(StandardCharsets.UTF_8));
  }

  private static long fnv(long h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }
}
