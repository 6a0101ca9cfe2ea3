package dev.ferry.sim;

import java.util.List;

/** A list answer: {@code {"object":"list","data":[...],"list_metadata":{"before":null,"after":null}}}. Immutable. */
record ListBody(List<? extends Body> data) implements Body {
  ListBody {
    data = List.copyOf(data);
  }
}
