package dev.ferry.steps.template;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts cl100k tokens (the encoding of OpenAI's embedding models, {@code text-embedding-3-*} and {@code ada-002})
 * with jtokkit, a real tokenizer: token limits are exact at the provider (8,191 per input, 300,000 per request, TPM),
 * and a length-based guess undercounts code and non-Latin text by 2x or more, which would send batches the API
 * refuses. Special-token markers in user text count as ordinary text. Threadsafe (jtokkit's encodings are).
 */
final class Tokens {
  private Tokens() {}

  static int count(String text) {
    return text.isEmpty() ? 0 : Holder.CL100K.countTokensOrdinary(text);
  }

  /** Loaded on first use (the merge table takes ~100 ms to read). */
  private static final class Holder {
    static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }
}
