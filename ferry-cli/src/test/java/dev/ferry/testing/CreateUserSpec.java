package dev.ferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The smallest spec a CLI test runs against its own target: a CSV of emails ({@code INPUT}), one target
 * ({@code API_URL}), one step POSTing each row's email to {@code /users}.
 */
public final class CreateUserSpec {
  private CreateUserSpec() {}

  /** Writes it as {@code dir/job.yaml}; returns its path. */
  public static Path write(Path dir) throws IOException {
    return Files.writeString(dir.resolve("job.yaml"), """
        version: 1
        source: { csv: { path: "${INPUT}" } }
        targets:
          api: { base_url: "${API_URL}" }
        steps:
          - name: create
            target: api
            request: { method: POST, path: /users, body: { email: "{{ row.email }}" } }
        """);
  }
}
