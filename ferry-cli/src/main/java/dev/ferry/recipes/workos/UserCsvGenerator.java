package dev.ferry.recipes.workos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a deterministic WorkOS import CSV: {@code rows} users spread over {@code orgs} organizations (one
 * membership each; none when {@code orgs} is 0). Used by {@code ferry demo}, {@code ferry generate-users},
 * the bench and the tests.
 */
public final class UserCsvGenerator {
  public static final String HEADER = "email,first_name,last_name,email_verified,external_id,org_external_id,org_name,role_slugs";
  private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
      "Radia", "Niklaus", "Margaret", "Tony", "Leslie", "Shafi", "Whitfield"};
  private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
      "Thompson", "Perlman", "Wirth", "Hamilton", "Hoare", "Lamport", "Goldwasser", "Diffie"};

  private UserCsvGenerator() {}

  public static void write(Path file, long rows, int orgs) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(orgs > 0 ? HEADER : "email,first_name,last_name,email_verified,external_id");
      w.write('\n');
      StringBuilder b = new StringBuilder(160);
      for (long i = 1; i <= rows; i++) {
        b.setLength(0);
        String first = FIRST[(int) (i % FIRST.length)];
        String last = LAST[(int) ((i / FIRST.length) % LAST.length)];
        b.append("user").append(i).append("@example.com,").append(first).append(',').append(last).append(',')
            .append(i % 3 == 0 ? "false" : "true").append(",ext-").append(i);
        if (orgs > 0) {
          long org = i % orgs;
          b.append(",org-").append(org).append(",\"Org ").append(org).append(", Inc.\",")
              .append(i % 10 == 0 ? "admin" : "member");
        }
        b.append('\n');
        w.write(b.toString());
      }
    }
  }
}
