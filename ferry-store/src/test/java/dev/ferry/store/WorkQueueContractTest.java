package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.spi.StoreException;
import dev.ferry.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The work queue's contract, on SQLite and on PostgreSQL (CI=true: an unreachable PostgreSQL fails). */
class WorkQueueContractTest {
  private static final long LEASE = 60_000;

  @TempDir
  Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private TestPostgres.Schema schema;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) c.close();
    if (schema != null) schema.drop();
  }

  private String location(String kind) {
    if (kind.equals("sqlite")) return dir.resolve("ferry.db").toString();
    if (schema == null) schema = TestPostgres.freshSchema("queue");
    return schema.url();
  }

  private SqlWorkQueue open(String kind, String queue) {
    SqlWorkQueue q = SqlWorkQueue.open(location(kind), queue);
    open.add(q);
    return q;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aDeliveryIsStoredOnceAndItsItemsAreClaimedOnce(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    assertThat(q.offer("d1", List.of("{\"n\":1}", "{\"n\":2}"), 1000, 100)).isEqualTo(WorkQueue.Offer.STORED);
    assertThat(q.offer("d1", List.of("{\"n\":1}", "{\"n\":2}"), 2000, 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    assertThat(q.offer("d0", List.of(), 2000, 100)).isEqualTo(WorkQueue.Offer.STORED); // nothing to run, remembered
    assertThat(q.offer("d0", List.of(), 2000, 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    assertThat(q.stats(3000)).isEqualTo(new WorkQueue.QueueStats(2, 0, 0, 0, 2000));

    List<WorkQueue.QueueItem> a = q.claim("a", 10, 3000, LEASE);
    assertThat(a).extracting(WorkQueue.QueueItem::body).containsExactly("{\"n\":1}", "{\"n\":2}");
    assertThat(a).extracting(WorkQueue.QueueItem::attempts).containsOnly(1);
    assertThat(q.claim("b", 10, 3000, LEASE)).isEmpty();
    q.done(a.get(0).id(), "a", 4000);
    q.fail(a.get(1).id(), "a", "embed: 400 too long", 4000);
    assertThat(q.stats(5000)).isEqualTo(new WorkQueue.QueueStats(0, 0, 1, 1, 0));
    assertThat(q.failed(10)).singleElement().satisfies(f -> {
      assertThat(f.deliveryId()).isEqualTo("d1");
      assertThat(f.index()).isEqualTo(1);
      assertThat(f.reason()).isEqualTo("embed: 400 too long");
      assertThat(f.body()).isEqualTo("{\"n\":2}");
      assertThat(f.bodyCut()).isFalse();
    });
    // a body cut in the store, by characters (é and 😀 are one each), its whole length told
    assertThat(q.offer("d2", List.of("{\"t\":\"é😀abc\"}"), 6000, 100)).isEqualTo(WorkQueue.Offer.STORED);
    WorkQueue.QueueItem big = q.claim("a", 10, 7000, LEASE).get(0);
    q.fail(big.id(), "a", "embed: 400 too long", 8000);
    assertThat(q.failed(10, 8)).extracting(WorkQueue.FailedItem::body, WorkQueue.FailedItem::bodyLength,
        WorkQueue.FailedItem::bodyCut).containsExactly(org.assertj.core.groups.Tuple.tuple("{\"n\":2}", 7L, false),
        org.assertj.core.groups.Tuple.tuple("{\"t\":\"é😀", 13L, true));
    assertThat(q.failed(10, 0)).extracting(WorkQueue.FailedItem::body).containsOnly("");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aFullBacklogRefusesNewDeliveriesButStillRecognisesRedeliveries(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    assertThat(q.offer("d1", List.of("{}", "{}"), 0, 2)).isEqualTo(WorkQueue.Offer.STORED);
    assertThat(q.offer("d2", List.of("{}"), 0, 2)).isEqualTo(WorkQueue.Offer.FULL);
    assertThat(q.offer("d1", List.of("{}", "{}"), 0, 2)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    List<WorkQueue.QueueItem> items = q.claim("a", 1, 0, LEASE);
    assertThat(q.offer("d2", List.of("{}"), 0, 2)).isEqualTo(WorkQueue.Offer.FULL); // claimed is not settled
    q.done(items.get(0).id(), "a", 1);
    assertThat(q.offer("d2", List.of("{}"), 1, 2)).isEqualTo(WorkQueue.Offer.STORED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void anExpiredClaimIsClaimedAgainAndTheOldOwnerCannotSettleIt(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    q.offer("d1", List.of("{}"), 0, 10);
    WorkQueue.QueueItem first = q.claim("dead", 10, 0, LEASE).get(0);
    assertThat(q.claim("b", 10, LEASE - 1, LEASE)).isEmpty();
    q.renew("dead", LEASE + 5000); // renewed: still held at LEASE
    assertThat(q.claim("b", 10, LEASE, LEASE)).isEmpty();
    List<WorkQueue.QueueItem> again = q.claim("b", 10, LEASE + 5000, LEASE);
    assertThat(again).singleElement().satisfies(i -> {
      assertThat(i.id()).isEqualTo(first.id());
      assertThat(i.attempts()).isEqualTo(2);
    });
    q.done(first.id(), "dead", LEASE + 6000); // ignored: not the holder any more
    assertThat(q.stats(LEASE + 6000).claimed()).isEqualTo(1);
    q.done(first.id(), "b", LEASE + 6000);
    assertThat(q.stats(LEASE + 6000).done()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aPostponedItemComesBackWhenDueWithItsAttemptNotCountedAndOnlyItsHolderPostponesIt(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    q.offer("d1", List.of("{\"a\":1}"), 0, 10);
    WorkQueue.QueueItem item = q.claim("a", 10, 0, LEASE).get(0);
    q.postpone(item.id(), "someone else", "target unusable", 5_000); // not held by them: ignored
    assertThat(q.stats(0).claimed()).isEqualTo(1);
    q.postpone(item.id(), "a", "target unusable: cannot connect", 5_000);
    assertThat(q.stats(0).pending()).isEqualTo(1);
    assertThat(q.claim("b", 10, 4_999, LEASE)).isEmpty();
    for (int i = 0; i < 5; i++) { // postponed as often as the target stays down: never a counted attempt
      WorkQueue.QueueItem again = q.claim("b", 10, 5_000 + i, LEASE).get(0);
      assertThat(again.attempts()).isEqualTo(1);
      q.postpone(again.id(), "b", "target unusable", 5_000 + i + 1);
    }
    assertThat(q.failed(10)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void retryLaterReleaseAndRedrive(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    q.offer("d1", List.of("{\"a\":1}", "{\"a\":2}"), 0, 10);
    List<WorkQueue.QueueItem> items = q.claim("a", 10, 0, LEASE);
    q.retryLater(items.get(0).id(), "a", "embed: 503", 10_000);
    q.release("a"); // a graceful stop: the second goes back without counting the attempt
    assertThat(q.claim("b", 10, 9_999, LEASE)).extracting(WorkQueue.QueueItem::attempts).containsExactly(1);
    assertThat(q.claim("b", 10, 10_000, LEASE)).extracting(WorkQueue.QueueItem::attempts).containsExactly(2);
    q.claim("c", 10, 10_000 + LEASE, LEASE).forEach(i -> q.fail(i.id(), "c", "gave up", 1));
    assertThat(q.failed(10)).hasSize(2);
    assertThat(q.redrive(20)).isEqualTo(2);
    assertThat(q.failed(10)).isEmpty();
    assertThat(q.claim("d", 10, 20, LEASE)).extracting(WorkQueue.QueueItem::attempts).containsOnly(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void compactionForgetsOldDeliveriesWhoseItemsAreAllDoneAndKeepsTheRest(String kind) {
    SqlWorkQueue q = open(kind, "pages");
    SqlWorkQueue other = open(kind, "other");
    // Given, received at 1000: a delivery done, one with nothing to run, one with an item failed, one still pending;
    // at 5000 a delivery done; and another queue's old delivery, done
    q.offer("done-old", List.of("{}", "{}"), 1000, 100);
    q.offer("empty-old", List.of(), 1000, 100);
    q.offer("failed-old", List.of("{}", "{}"), 1000, 100);
    for (WorkQueue.QueueItem i : q.claim("a", 4, 1000, LEASE)) {
      if (i.deliveryId().equals("failed-old") && i.index() == 1) q.fail(i.id(), "a", "gave up", 1100);
      else q.done(i.id(), "a", 1100);
    }
    q.offer("pending-old", List.of("{}"), 1000, 100);
    q.offer("done-new", List.of("{}"), 5000, 100);
    q.claim("a", 10, 5000, LEASE).stream().filter(i -> i.deliveryId().equals("done-new"))
        .forEach(i -> q.done(i.id(), "a", 5100));
    other.offer("other-old", List.of("{}"), 1000, 100);
    other.claim("b", 10, 1000, LEASE).forEach(i -> other.done(i.id(), "b", 1100));
    assertThat(q.stats(6000)).isEqualTo(new WorkQueue.QueueStats(0, 1, 4, 1, 5000));

    // When: compacting what was received before 1000 forgets nothing (the cut-off is exclusive); before 5000, one at a
    // time, the two old deliveries that are settled done
    assertThat(q.compact(1000, 10)).isZero();
    assertThat(q.compact(5000, 1)).isEqualTo(1);
    assertThat(q.compact(5000, 10)).isEqualTo(1);
    assertThat(q.compact(5000, 10)).isZero();

    // Then: their ids are forgotten (a redelivery is stored again), the rest recognised; the failed and pending items
    // are kept with their deliveries' done items; the other queue is untouched
    assertThat(q.stats(6000)).isEqualTo(new WorkQueue.QueueStats(0, 1, 2, 1, 5000));
    assertThat(q.offer("done-old", List.of("{}"), 6000, 100)).isEqualTo(WorkQueue.Offer.STORED);
    assertThat(q.offer("empty-old", List.of(), 6000, 100)).isEqualTo(WorkQueue.Offer.STORED);
    for (String kept : List.of("failed-old", "pending-old", "done-new")) {
      assertThat(q.offer(kept, List.of("{}"), 6000, 100)).as(kept).isEqualTo(WorkQueue.Offer.DUPLICATE);
    }
    assertThat(other.offer("other-old", List.of("{}"), 6000, 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    assertThat(q.failed(10)).singleElement().satisfies(f -> assertThat(f.deliveryId()).isEqualTo("failed-old"));

    // When the failed item is dropped, its delivery (now all done) is compacted like any other
    assertThat(q.dropFailed()).isEqualTo(1);
    assertThat(q.failed(10)).isEmpty();
    assertThat(q.offer("failed-old", List.of("{}"), 6000, 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    assertThat(q.compact(5000, 10)).isEqualTo(1);
    assertThat(q.offer("failed-old", List.of("{}"), 6000, 100)).isEqualTo(WorkQueue.Offer.STORED);
    assertThat(q.offer("pending-old", List.of("{}"), 6000, 100)).isEqualTo(WorkQueue.Offer.DUPLICATE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void queuesAreApartAndReopeningKeepsEverything(String kind) {
    SqlWorkQueue pages = open(kind, "pages");
    SqlWorkQueue other = open(kind, "other");
    pages.offer("d1", List.of("{}"), 0, 10);
    assertThat(other.offer("d1", List.of("{}"), 0, 10)).isEqualTo(WorkQueue.Offer.STORED);
    assertThat(other.claim("x", 10, 0, LEASE)).hasSize(1);
    SqlWorkQueue again = open(kind, "pages");
    assertThat(again.offer("d1", List.of("{}"), 0, 10)).isEqualTo(WorkQueue.Offer.DUPLICATE);
    assertThat(again.stats(0).pending()).isEqualTo(1);
    assertThat(again.reachable()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void concurrentClaimersNeverShareAnItem(String kind) throws Exception {
    SqlWorkQueue setup = open(kind, "pages");
    List<String> items = Collections.nCopies(200, "{}");
    setup.offer("d1", items, 0, 1000);
    List<Supplier<SqlWorkQueue>> queues = List.of(() -> open(kind, "pages"), () -> open(kind, "pages"));
    Set<Long> seen = Collections.synchronizedSet(new HashSet<>());
    List<Long> all = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      SqlWorkQueue q = queues.get(t % 2).get();
      String owner = "o" + t;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
          List<WorkQueue.QueueItem> got;
          while (!(got = q.claim(owner, 7, 0, LEASE)).isEmpty()) {
            for (WorkQueue.QueueItem i : got) {
              seen.add(i.id());
              all.add(i.id());
              q.done(i.id(), owner, 1);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) t.join();
    assertThat(all).hasSize(200);
    assertThat(seen).hasSize(200);
    assertThat(setup.stats(2).done()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aNewerQueueVersionIsRefused(String kind) throws Exception {
    open(kind, "pages").close();
    String url = kind.equals("sqlite") ? "jdbc:sqlite:" + location(kind) : location(kind);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("UPDATE ferry_queue_version SET version = 99");
    }
    assertThatThrownBy(() -> open(kind, "pages")).isInstanceOf(StoreException.class)
        .hasMessageContaining("newer ferry");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void openExistingFindsOnlyAQueueTheStoreHoldsAndCreatesNothing(String kind) throws Exception {
    // Given: a store with no queue tables
    String location = location(kind);
    if (kind.equals("sqlite")) JobStores.open(location).close();

    // When/Then: no tables, then (after 'pages' was opened) another name: refused, naming the queues there are
    assertThatThrownBy(() -> SqlWorkQueue.openExisting(location, "pages"))
        .isInstanceOfSatisfying(SqlWorkQueue.NoSuchQueueException.class, e -> {
          assertThat(e.noTables()).isTrue();
          assertThat(e.queues()).isEmpty();
        });
    assertThatThrownBy(() -> SqlWorkQueue.openExisting(location, "pages"))
        .isInstanceOf(SqlWorkQueue.NoSuchQueueException.class); // still no tables: the first call made none
    open(kind, "pages").close();
    open(kind, "emails").offer("d1", List.of("{}"), 0, 10);
    assertThatThrownBy(() -> SqlWorkQueue.openExisting(location, "webhooks"))
        .isInstanceOfSatisfying(SqlWorkQueue.NoSuchQueueException.class, e -> {
          assertThat(e.noTables()).isFalse();
          assertThat(e.queues()).containsExactly("emails", "pages");
          assertThat(e).hasMessage("no queue 'webhooks'; queues: emails, pages");
        });
    try (SqlWorkQueue q = SqlWorkQueue.openExisting(location, "emails")) {
      assertThat(q.stats(1).pending()).isEqualTo(1);
    }
    try (SqlWorkQueue q = SqlWorkQueue.openExisting(location, "pages")) { // known by name though it holds nothing
      assertThat(q.failed(10)).isEmpty();
    }
  }
}
