package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.engine.RowInput;
import dev.ferry.http.SecretMask;
import dev.ferry.sources.CsvRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A row's secrets are its secret columns' values, read from a CSV record by index as from any map by name. */
class RowSecretsTest {
  @Test
  void aCsvRecordsSecretsAreThoseOfItsMap() {
    List<String> header = List.of("email", "password", " Password_Hash ", "note", "User.Token");
    CsvRecord.Columns columns = new CsvRecord.Columns(header);
    RowSecrets secrets = new RowSecrets(SecretMask.of(List.of("sk_job_secret")), Set.of("password", "password_hash", "user.token"));
    String text = "sk_job_secret hunter2 $2b$10$hash note-1 a@e.com tok-9";
    for (String[] fields : List.of(new String[] {"a@e.com"}, new String[] {"a@e.com", "hunter2"},
        new String[] {"a@e.com", "hunter2", "$2b$10$hash"}, new String[] {"a@e.com", "", "$2b$10$hash", "note-1"},
        new String[] {"a@e.com", "hunter2", "$2b$10$hash", "note-1", "tok-9"},
        new String[] {"a@e.com", "hunter2", "$2b$10$hash", "note-1", "tok-9", "extra"})) {
      Map<String, Object> linked = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < fields.length; i++) linked.put(header.get(i), fields[i]);
      SecretMask byIndex = secrets.of(new RowInput(1, 0, 2, fields, null, new CsvRecord(columns, fields)));
      SecretMask byName = secrets.of(new RowInput(1, 0, 2, fields, null, linked));
      for (int twice = 0; twice < 2; twice++) {
        assertThat(byIndex.mask(text)).as(String.join(",", fields)).isEqualTo(byName.mask(text));
      }
    }
    SecretMask full = secrets.of(new RowInput(1, 0, 2, new String[] {"a@e.com", "hunter2", "$2b$10$hash"}, null,
        new CsvRecord(columns, new String[] {"a@e.com", "hunter2", "$2b$10$hash"})));
    assertThat(full.mask(text)).doesNotContain("hunter2").doesNotContain("$2b$10$hash").doesNotContain("sk_job")
        .contains("a@e.com");
  }

  @Test
  void aWatchedDryRunMasksEachRequestWithItsRowsSecretsUntilTheRowEnds() {
    RowSecrets secrets = new RowSecrets(SecretMask.of(List.of("sk_job_secret")), Set.of("password"));
    List<String> seen = new java.util.ArrayList<>();
    var masking = secrets.masking(r -> seen.add(r.body()));
    String[] fields = {"a@e.com", "hunter2"};
    SecretMask mask = secrets.of(new RowInput(7, 0, 8, fields, null,
        new CsvRecord(new CsvRecord.Columns(List.of("email", "password")), fields)));
    secrets.started(7, mask);
    masking.accept(new RenderedRequest(7, "user", "t", "POST", "/u", List.of(), "hunter2 sk_job_secret"));
    secrets.ended(7);
    masking.accept(new RenderedRequest(7, "user", "t", "POST", "/u", List.of(), "hunter2 sk_job_secret"));
    assertThat(seen.get(0)).doesNotContain("hunter2").doesNotContain("sk_job_secret");
    assertThat(seen.get(1)).contains("hunter2").doesNotContain("sk_job_secret"); // the row ended: the job's only
  }
}
