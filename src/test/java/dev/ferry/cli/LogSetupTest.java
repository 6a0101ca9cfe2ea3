package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
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
}
