package dev.ferry.steps;

/**
 * The tokens an OpenAI-shaped answer says it counted: {@code "usage": {"prompt_tokens": n, "total_tokens": n}}
 * (embeddings and chat servers that speak OpenAI's API answer so: vLLM, TEI, Ollama, LiteLLM). Read by a scan for
 * the last {@code "usage"} object, without parsing the answer (an embeddings answer is mostly vectors, and the usage
 * comes last). Stateless.
 */
final class Usage {
  private Usage() {}

  /** {@code usage.total_tokens} (else {@code usage.prompt_tokens}) of a JSON answer; -1 when it has none. */
  static long tokens(String body) {
    if (body == null) return -1;
    int usage = body.lastIndexOf("\"usage\"");
    if (usage < 0) return -1;
    long total = field(body, usage, "\"total_tokens\"");
    return total >= 0 ? total : field(body, usage, "\"prompt_tokens\"");
  }

  private static long field(String body, int from, String name) {
    int at = body.indexOf(name, from);
    if (at < 0) return -1;
    int i = at + name.length();
    while (i < body.length() && (body.charAt(i) == ' ' || body.charAt(i) == ':' || body.charAt(i) == '\n'
        || body.charAt(i) == '\r' || body.charAt(i) == '\t')) {
      i++;
    }
    int start = i;
    while (i < body.length() && i - start < 18 && Character.isDigit(body.charAt(i))) i++;
    return i == start ? -1 : Long.parseLong(body, start, i, 10);
  }
}
