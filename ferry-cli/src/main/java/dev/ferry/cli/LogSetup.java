package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ferry's logging, set up in code when logback starts (found through {@code META-INF/services}): WARN and above
 * to stderr as {@code HH:mm:ss.SSS LEVEL logger - message}, logback's own status messages muted; {@code --verbose}
 * lowers {@code dev.ferry} to DEBUG ({@link Verbosity}). Done in code because reading an XML file costs logback
 * an XML parser and its configuration model, some 20 ms of a 5-row import's CPU. Given
 * {@code -Dlogback.configurationFile=...}, it steps aside and that file configures logback.
 *
 * <p>{@code --log-format json} ({@link #use}) swaps the encoder for logback's {@link JsonEncoder}: one JSON object
 * a line with {@code timestamp} (epoch ms), {@code level}, {@code threadName}, {@code loggerName}, {@code mdc},
 * {@code kvpList}, {@code formattedMessage} and {@code throwable}; not the raw {@code message} pattern nor its
 * {@code arguments}, so a line says exactly what the text format says (secrets are kept out of messages where they
 * are made, and an argument never reaches the log apart from its message).
 *
 * <p>Threadsafe: logback calls {@link #configure} once, while the logger context starts; {@link #use} is meant for
 * argument parsing, before a job's threads log (an event logged while the encoder is swapped may be dropped).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";
  static final String APPENDER = "STDERR";

  /** How log lines look: {@code --log-format}. */
  enum Format {
    /** {@code HH:mm:ss.SSS LEVEL logger - message}, for people. */
    TEXT,
    /** One JSON object a line, for log collectors. */
    JSON
  }

  /** For the service loader. */
  public LogSetup() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    NopStatusListener quiet = new NopStatusListener();
    context.getStatusManager().add(quiet);
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder(context, Format.TEXT));
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("dev.ferry").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Lines of this process's log in {@code format} from now on; nothing when a logback file configures logging. */
  static void use(Format format) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) use(context, format);
  }

  static void use(LoggerContext context, Format format) {
    Appender<ILoggingEvent> a = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
    if (!(a instanceof ConsoleAppender<ILoggingEvent> stderr)) return; // not ours: logback.configurationFile
    stderr.stop();
    stderr.setEncoder(encoder(context, format));
    stderr.start();
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    if (format == Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }
}
