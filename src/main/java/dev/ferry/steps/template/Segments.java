package dev.ferry.steps.template;

import java.util.Set;

/** The parsed parts of a {@link Template}. Immutable. */
final class Segments {
  private Segments() {}

  static Segments parse(String text, SpecLocation at) {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }

  static Segments constant(Object value) {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }

  Object render(RenderContext context, SpecLocation at) {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }

  boolean isConstant() {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }

  boolean usesBatch() {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }

  Set<String> stepsRead() {
    throw new UnsupportedOperationException("templates: not implemented yet");
  }
}
