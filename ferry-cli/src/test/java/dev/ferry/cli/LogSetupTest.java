package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  @Test
  void logbackIsSetUpInCodeWarningsToStderr() {
    // Given the process's logger context (logback found LogSetup through the service loader)
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    // Then
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(ConsoleAppender.class,
        a -> assertThat(a.getTarget()).isEqualTo("System.err"));
  }

  @Test
  void aFreshContextGetsTheSameSetUp() {
    // Given
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);
    // When
    Configurator.ExecutionStatus status = setup.configure(context);
    // Then
    assertThat(status).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("dev.ferry").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR").isStarted()).isTrue();
    context.stop();
  }

  @Test
  void jsonFormatWritesOneParsableObjectPerLineAndTextComesBack() throws IOException {
    // Given a fresh context set up as at start (with the MDC adapter logback's provider would give it), switched to JSON
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    LogSetup setup = new LogSetup();
    setup.setContext(context);
    setup.configure(context);
    LogSetup.use(context, LogSetup.Format.JSON);
    ch.qos.logback.classic.Logger log = context.getLogger("dev.ferry.test");

    // When: messages with quotes, a line break and an exception, then back to text
    String json = stderrOf(() -> {
      log.warn("chunk {} of job \"{}\" released", 7, "J1");
      log.error("two\nlines", new IllegalStateException("boom"));
    });
    LogSetup.use(context, LogSetup.Format.TEXT);
    String text = stderrOf(() -> log.warn("plain again"));
    context.stop();

    // Then: one JSON object a line, with the formatted message and no raw arguments
    List<JsonNode> lines = new ArrayList<>();
    for (String line : json.split("\n")) lines.add(new ObjectMapper().readTree(line));
    assertThat(lines).hasSize(2);
    JsonNode first = lines.get(0);
    assertThat(first.get("level").asText()).isEqualTo("WARN");
    assertThat(first.get("loggerName").asText()).isEqualTo("dev.ferry.test");
    assertThat(first.get("formattedMessage").asText()).isEqualTo("chunk 7 of job \"J1\" released");
    assertThat(first.get("timestamp").asLong()).isPositive();
    assertThat(first.has("arguments")).isFalse();
    assertThat(first.has("message")).isFalse();
    JsonNode second = lines.get(1);
    assertThat(second.get("formattedMessage").asText()).isEqualTo("two\nlines");
    assertThat(second.get("throwable").get("className").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(second.get("throwable").get("message").asText()).isEqualTo("boom");
    assertThat(text).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  dev.ferry.test - plain again\\R");
  }

  /** What the body wrote on System.err (logback's console appender writes to the current System.err). */
  private static String stderrOf(Runnable body) {
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
