package dev.ferry.steps;

import dev.ferry.http.ResponseClass;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A step's reading of HTTP statuses: rules the spec declares by exact status ({@code 409}) or by class
 * ({@code 4xx}), over the defaults: 2xx ok; 401 and 403 stop the job; 408, 429, 5xx and no answer retry; every
 * other status (409 included) is final. An exact status wins over its class, a declared class over the defaults
 * (but {@code 4xx} never covers 401, 403, 408 or 429, which need their own entry). Immutable.
 *
 * @param rules declared rules by key: {@code "409"}, {@code "4xx"}...
 */
public record ResponseRules(Map<String, StatusRule> rules) {
  public static final ResponseRules DEFAULTS = new ResponseRules(Map.of());

  public ResponseRules {
    rules = Collections.unmodifiableMap(new TreeMap<>(rules));
    for (String k : rules.keySet()) checkKey(k);
  }

  /**
   * @throws IllegalArgumentException when {@code key} is neither a status 100..599 nor a class 1xx..5xx
   */
  public static void checkKey(String key) {
    if (key.matches("[1-5]xx") || key.matches("[1-5][0-9][0-9]")) return;
    throw new IllegalArgumentException("'" + key + "' is not an HTTP status (100..599) or a class (2xx, 4xx, 5xx)");
  }

  /** Whether the spec declares a rule for {@code status}, by itself or by its class. */
  public boolean declares(int status) {
    if (rules.isEmpty()) return false;
    boolean known = status >= 0 && status < KEYS.length;
    return rules.containsKey(known ? KEYS[status] : Integer.toString(status))
        || status > 0 && rules.containsKey(known ? CLASS_KEYS[status / 100] : (status / 100) + "xx");
  }

  /** The rule for {@code status} (0 = no answer) when the answer's body is not known: rules with codes never hold. */
  public StatusRule ruleFor(int status) {
    return ruleFor(status, null);
  }

  /**
   * The rule for an answer: a rule with {@link StatusRule#codes() codes} holds only when the body's error code is one
   * of them, one with an {@link StatusRule#error() error} path only when that path reads a value (else the next rule
   * down applies: the class's, then the default). The body is read only when such a rule
   * is declared for the status.
   *
   * @param body the answer's body, or null
   */
  public StatusRule ruleFor(int status, String body) {
    boolean known = status >= 0 && status < KEYS.length;
    if (!rules.isEmpty()) {
      Object[] tree = {null, Boolean.FALSE}; // parsed once, on first need
      StatusRule exact = rules.get(known ? KEYS[status] : Integer.toString(status));
      if (exact != null && holds(exact, body, tree)) return exact;
      boolean special = status == 401 || status == 403 || status == 408 || status == 429;
      if (status > 0 && !special) {
        StatusRule cls = rules.get(known ? CLASS_KEYS[status / 100] : (status / 100) + "xx");
        if (cls != null && holds(cls, body, tree)) return cls;
      }
    }
    return known ? DEFAULT_RULES[status] : StatusRule.of(defaultAction(status));
  }

  /** Each status's key ({@code "201"}) and class key ({@code "2xx"}), and its default rule: made once, not per answer. */
  private static final String[] KEYS = new String[600];
  private static final String[] CLASS_KEYS = new String[6];
  private static final StatusRule[] DEFAULT_RULES = new StatusRule[600];

  static {
    for (int s = 0; s < KEYS.length; s++) {
      KEYS[s] = Integer.toString(s);
      DEFAULT_RULES[s] = StatusRule.of(defaultAction(s));
    }
    for (int c = 0; c < CLASS_KEYS.length; c++) CLASS_KEYS[c] = c + "xx";
  }

  private static boolean holds(StatusRule rule, String body, Object[] tree) {
    if (!rule.conditional()) return true;
    if (body == null) return false;
    if (tree[1] == Boolean.FALSE) {
      tree[0] = Json.readOrNull(body);
      tree[1] = Boolean.TRUE;
    }
    if (rule.error() != null) {
      Object v = rule.error().read(tree[0]);
      if (v == null || Boolean.FALSE.equals(v) || "".equals(v)) return false;
      if (rule.codes().isEmpty()) return true;
    }
    for (String code : ApiMessage.codes(tree[0])) if (rule.codes().contains(code)) return true;
    return false;
  }

  /** The default, from {@link ResponseClass} (the classification HttpTarget retries by and the limits learn from). */
  static StatusAction defaultAction(int status) {
    if (status >= 200 && status < 300) return StatusAction.OK;
    return switch (ResponseClass.of(status, false)) {
      case AUTH -> StatusAction.STOP;
      case THROTTLED, OVERLOADED, SERVER_ERROR -> StatusAction.RETRY;
      case FINAL -> StatusAction.FINAL;
    };
  }
}
