package dev.ferry.core.source;

import dev.ferry.core.spi.ChunkSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Throughput check of the CSV source, not a test (timings are never asserted). Writes 1M WorkOS-like rows,
 * then times the planning pass (SHA-256, chunking, a visitor reading one field) and re-reading every chunk
 * reading three fields per row. Run after {@code ./mvnw -q test-compile}:
 * {@code java -cp target/classes:target/test-classes dev.ferry.core.source.CsvThroughputMain [rows]}.
 */
public final class CsvThroughputMain {
  private CsvThroughputMain() {}

  public static void main(String[] args) throws IOException {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path file = Files.createTempFile("ferry-throughput", ".csv");
    try {
      write(file, rows);
      System.out.printf("%,d rows, %,d bytes%n", rows, Files.size(file));
      for (int round = 1; round <= 5; round++) {
        run(file, round);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void write(Path file, int rows) throws IOException {
    Random random = new Random(1);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("email,first_name,last_name,email_verified,external_id,org_external_id\n");
      for (int i = 0; i < rows; i++) {
        String first = i % 50 == 0 ? "Zoë" : "user" + (i % 977);
        String last = i % 100 == 0 ? "\"O'Brien, Jr.\"" : "last" + (i % 1543);
        w.write("user" + i + "@example" + (i % 300) + ".com," + first + "," + last + ","
            + (random.nextBoolean() ? "true" : "false") + ",ext_" + Long.toHexString(random.nextLong())
            + ",org_" + (i % 300) + "\n");
      }
    }
  }

  private static void run(Path file, int round) throws IOException {
    CsvLimits limits = CsvLimits.defaults();
    CsvHeader header = CsvReader.readHeader(file, limits);
    int org = header.indexOf("org_external_id");
    long[] sink = {0};

    long t0 = System.nanoTime();
    ChunkPlan plan = ChunkPlanner.plan(file, header, 1000, limits, r -> sink[0] += r.field(org).length());
    long t1 = System.nanoTime();

    int email = header.indexOf("email");
    int first = header.indexOf("first_name");
    long read = 0;
    for (ChunkSpec spec : plan.chunks()) {
      try (CsvReader r = CsvReader.open(file, header, spec.byteOffset(), spec.firstLine(), spec.firstRow(),
          limits)) {
        for (int i = 0; i < spec.rowCount() && r.next(); i++) {
          sink[0] += r.field(email).length() + r.field(first).length() + r.field(org).length();
          if (r.error() != null) {
            throw new IllegalStateException(r.error());
          }
          read++;
        }
      }
    }
    long t2 = System.nanoTime();
    System.out.printf("round %d: plan %,.0f rows/s (%,.0f MB/s, sha %s...), re-read %,.0f rows/s, %,d rows [%d]%n",
        round, plan.totalRows() / ((t1 - t0) / 1e9), plan.fileSize() / 1e6 / ((t1 - t0) / 1e9),
        plan.sha256Hex().substring(0, 8), read / ((t2 - t1) / 1e9), read, sink[0] % 10);
  }
}
