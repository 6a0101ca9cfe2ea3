package dev.ferry.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.steps.template.SpecLocation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A spec's key that renders empty for every one of the first rows is said once: a trial's {@code key: "{{ row.ident
 * }}"} (the rows have {@code id}) ran a whole job whose results file named no row by its key, and nothing said so.
 */
class EmptyKeyWatchTest {
  final List<String> said = new ArrayList<>();
  final EmptyKeyWatch watch = new EmptyKeyWatch(new SpecLocation("job.yaml", 22, 6, "key"), said::add);

  @Test
  void aKeyEmptyForEachOfTheFirstRowsIsSaidOnceNamingWhereItIsWritten() {
    for (int i = 0; i < EmptyKeyWatch.ROWS - 1; i++) watch.rendered("");
    assertThat(said).isEmpty();

    watch.rendered("");
    for (int i = 0; i < 500; i++) watch.rendered("");

    assertThat(said).containsExactly("job.yaml:22:6: key: rendered empty for each of the first 100 rows, so the"
        + " results file, the errors file and the ledger name no row by its key: does it read a field the rows lack?");
  }

  @Test
  void oneKeyAmongTheFirstRowsIsEnoughToSayNothing() {
    watch.rendered("ext-1");
    for (int i = 0; i < 1000; i++) watch.rendered("");

    assertThat(said).isEmpty();
  }
}
