package dev.ferry.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads what the whole process costs: CPU time, garbage-collection time, heap in use, heap still in use after
 * collections, and resident memory ({@code /proc/self/status}, Linux only; -1 elsewhere). Everything the
 * JVM runs counts, the in-process simulator included. Threadsafe (stateless reads of the platform beans).
 */
final class ProcessProbe {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

  /** CPU time of the process in nanoseconds; -1 when the platform does not say. */
  long cpuNanos() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
    return -1;
  }

  /** CPU use of the whole host over the last moment, 0..1, every process included; NaN when unknown. */
  double hostCpuLoad() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double v = sun.getCpuLoad();
      return v >= 0 ? v : Double.NaN;
    }
    return Double.NaN;
  }

  /** The host's one-minute load average; NaN when unknown. */
  double loadAverage() {
    double v = os.getSystemLoadAverage();
    return v >= 0 ? v : Double.NaN;
  }

  /** Milliseconds the collectors reported so far (pauses, or cycles for concurrent collectors). */
  long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      long t = gc.getCollectionTime();
      if (t > 0) sum += t;
    }
    return sum;
  }

  /** Heap in use now, garbage included. */
  long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The heap's limit (-Xmx), or its committed size when there is no limit. */
  long heapMax() {
    MemoryUsage u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return u.getMax() > 0 ? u.getMax() : u.getCommitted();
  }

  /** Heap still in use after the most recent collection of each heap pool: the live set, roughly. */
  long heapAfterGc() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) continue;
      MemoryUsage u = pool.getCollectionUsage();
      if (u != null) sum += u.getUsed();
    }
    return sum;
  }

  /** Resident memory now, in bytes; -1 when unknown. */
  long rss() {
    return statusKb("VmRSS:");
  }

  /** Peak resident memory since start or since {@link #resetPeakRss()}, in bytes; -1 when unknown. */
  long peakRss() {
    return statusKb("VmHWM:");
  }

  /** Resets the kernel's peak-RSS mark (Linux ≥ 4.0); false when that is not possible. */
  boolean resetPeakRss() {
    try {
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static long statusKb(String key) {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith(key)) {
          String v = line.substring(key.length()).trim();
          int sp = v.indexOf(' ');
          return Long.parseLong(sp < 0 ? v : v.substring(0, sp)) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
