package dev.ferry.core.limit;

import java.util.Arrays;

/**
 * The last {@code permits} grants of a window budget ({@code permits} in any {@code window}) and when the target
 * counted the sends of each place in the ring: grant {@code k + permits} goes no earlier than a window after grant
 * {@code k}'s slot, nor a window after the target counted grant {@code k} (its caller woke late on a loaded host, or
 * the target says it counted it late, {@link #countedLate}, or its answer came late, {@link #answered}).
 *
 * <p>In a stated budget, a caller may wake late after the grant a window later was already reserved (more callers wait
 * at once than the budget holds): that grant's caller, when it wakes, waits out what its place's predecessor was
 * counted at ({@link #woke}), and then its own lateness holds the grant a window after it, however many windows ahead
 * were reserved.
 *
 * <p>Not threadsafe: its owner ({@link SmoothRateLimiter}) calls it under its lock. Invariants: the ring holds the
 * last {@code filled} grants in ascending order of slot, the next goes at {@code next}; while it is not full they are
 * at {@code [0, filled)} and {@code next == filled}, so the arrays grow only as grants come (48 bytes a grant, a
 * budget of 1,000,000 costs 48 MB once a window has held that many). {@code countedAt[i]} is {@link #NONE} or the
 * latest time the target counted a send of place {@code i} (grants {@code permits} apart share a place), and {@code
 * answeredAt[i]} the latest answer to one;
 * {@code replacedSlot[i]} is {@link #NONE} or the slot of the grant that the one at {@code i} replaced, which a pause
 * that gives that one up puts back; {@code sentSlot[i]} is {@link #NONE} or the slot of the newest grant at {@code i}
 * whose caller was let go ({@link #woke} returned 0), however many grants a window or more later were reserved there
 * since, and {@code answeredSlot[i]} the slot an answer was matched to there ({@link #claim}).
 */
final class GrantRing {
  private static final long NONE = Long.MIN_VALUE;
  private static final int FIRST_SIZE = 64;

  private final int permits;
  /**
   * A budget the user stated: a caller waits out a late grant a window before it that was noted after it was reserved,
   * and answers count ({@link #answered}). A budget learned from headers keeps only its own grants' lateness: its
   * target's count comes from the headers ({@link #countedLate}), and with either there {@code RateLearningCliTest}'s
   * sliding window with headers saw a 429 in each of 7 runs, against none in 3 without (why is not pinned down).
   */
  private final boolean stated;
  private long windowNanos;
  private long[] slots;
  private long[] countedAt;
  private long[] answeredAt;
  /** The slot of the grant at each place that an answer was matched to (NONE: none): each answer takes one grant. */
  private long[] answeredSlot;
  /** The slot of the newest grant at each place whose caller was let go (NONE: none yet). */
  private long[] sentSlot;
  /**
   * Set at the first {@link #woke} of a stated budget: from then on an answer or a late count is only ever noted for a
   * grant whose caller was let go ({@code sentSlot}), never for one still waiting at its place, so whatever a place
   * holds is about grants before the one waiting there, which then waits it out whatever its slot.
   */
  private boolean tracksSends;
  private long[] replacedSlot;
  private int next;
  private int filled;
  /** The shortest round trip of an answer so far ({@link #answered}); {@link Long#MAX_VALUE} before the first. */
  private long quickestNanos = Long.MAX_VALUE;
  /** The most a caller woke after its slot, lately; and when it was seen. */
  private long lateWakeNanos;
  private long lateSeenNanos = Long.MIN_VALUE;

  GrantRing(int permits, long windowNanos, boolean stated) {
    if (permits < 1) throw new IllegalArgumentException("permits must be >= 1");
    if (windowNanos <= 0) throw new IllegalArgumentException("window must be positive");
    this.permits = permits;
    this.stated = stated;
    this.windowNanos = windowNanos;
    allocate(Math.min(permits, FIRST_SIZE));
  }

  int permits() {
    return permits;
  }

  long windowNanos() {
    return windowNanos;
  }

  void windowNanos(long windowNanos) {
    if (windowNanos <= 0) throw new IllegalArgumentException("window must be positive");
    this.windowNanos = windowNanos;
  }

  /** A ring of {@code permits} that keeps this one's latest grants (and their lateness), oldest first. */
  GrantRing resized(int newPermits) {
    GrantRing ring = new GrantRing(newPermits, windowNanos, stated);
    int keep = Math.min(filled, newPermits);
    ring.allocate(Math.max(ring.slots.length, keep));
    for (int i = 0; i < keep; i++) {
      int from = Math.floorMod(next - keep + i, slots.length);
      ring.slots[i] = slots[from];
      ring.countedAt[i] = countedAt[from];
      ring.answeredAt[i] = answeredAt[from];
      ring.answeredSlot[i] = answeredSlot[from];
      ring.sentSlot[i] = sentSlot[from];
      ring.replacedSlot[i] = NONE; // what they replaced is forgotten: a pause gives them up without putting it back
    }
    ring.quickestNanos = quickestNanos;
    ring.tracksSends = tracksSends;
    ring.lateWakeNanos = lateWakeNanos;
    ring.lateSeenNanos = lateSeenNanos;
    ring.filled = keep;
    ring.next = keep % newPermits;
    return ring;
  }

  /** The earliest slot the budget allows the next grant; {@link Long#MIN_VALUE} while fewer than a budget went. */
  long earliest() {
    return filled == permits ? Math.max(slots[next], countedBy(next)) + windowNanos : Long.MIN_VALUE;
  }

  /** Records a grant at {@code slot} (no earlier than {@link #earliest}) and returns its place, for {@link #woke}. */
  int add(long slot) {
    if (filled == permits) {
      replacedSlot[next] = slots[next];
    } else {
      if (next == slots.length) allocate(Math.min(permits, 2 * slots.length));
      replacedSlot[next] = NONE;
      countedAt[next] = NONE;
      answeredAt[next] = NONE;
      answeredSlot[next] = NONE;
      sentSlot[next] = NONE;
      filled++;
    }
    int at = next;
    slots[at] = slot;
    next = at + 1 == permits ? 0 : at + 1;
    return at;
  }

  /**
   * The caller of a grant at {@code index} for {@code slot} woke at {@code now} and sends unless told to wait. Returns
   * how much longer it must wait, when a grant a window before it at that place was counted later than its slot allowed
   * for (noted after it was reserved); when that is nothing, notes that the target counts this one now (for the grant a
   * window after it) and returns 0.
   */
  long woke(int index, long slot, long now) {
    long late = now - slot;
    if (!stated) {
      if (slots[index] != slot || late <= 0) return 0; // given up, or already followed by the grant a window later
    } else {
      tracksSends = true;
      // a place notes nothing of a grant still waiting (tracksSends): all it holds is about the grants before this one,
      // even a count later than this grant's slot (an answer that came late, after the slot)
      long before = countedBy(index);
      if (before != NONE && before + windowNanos > now) return before + windowNanos - now;
    }
    countedAt[index] = Math.max(countedAt[index], now);
    sentSlot[index] = Math.max(sentSlot[index], slot);
    if (late > 0 && (late >= lateWakeNanos || now - lateSeenNanos > windowNanos)) {
      lateWakeNanos = late;
      lateSeenNanos = now;
    }
    return 0;
  }

  /**
   * The target counted the request sent at {@code sentNanos} {@code lateNanos} later than it counts the quickest: the
   * grant a window after it waits as much. The grant is the newest slot at or before the send, and those a late
   * wake-up could have sent then too.
   */
  void countedLate(long sentNanos, long lateNanos) {
    if (lateNanos <= 0) return;
    boolean newest = true;
    for (int i = 1; i <= filled; i++) {
      int index = Math.floorMod(next - i, slots.length);
      long slot = slots[index];
      if (slot > sentNanos) continue;
      if (!newest && slot < sentNanos - lateWakeNanos) break;
      if (tracksSends && sentSlot[index] != slot) continue; // its caller still waits: the request is not its
      countedAt[index] = Math.max(countedAt[index], sentNanos + lateNanos);
      newest = false;
    }
  }

  /**
   * The answer to the request sent at {@code sentNanos} came at {@code answeredNanos}: the target counted it no later
   * than that less the shortest round trip (its wire time out; a request that left late on the client, after its
   * caller woke, shows it here). The shortest is read when the grant a window later is reserved or wakes, so the slow
   * answers of a cold start count by the round trips that came after them. The grants are found as for {@link
   * #countedLate}.
   */
  void answered(long sentNanos, long answeredNanos) {
    long roundTrip = answeredNanos - sentNanos;
    if (!stated || roundTrip < 0) return;
    quickestNanos = Math.min(quickestNanos, roundTrip);
    int own = claim(sentNanos);
    if (own < 0) return;
    answeredAt[own] = Math.max(answeredAt[own], answeredNanos);
    for (int i = 1; i <= filled; i++) { // and those a late wake-up could have sent then too
      int index = Math.floorMod(next - i, slots.length);
      long slot = slots[index];
      if (slot > sentNanos) continue;
      if (slot < sentNanos - lateWakeNanos) break;
      if (tracksSends && sentSlot[index] != slot) continue; // its caller still waits: the request is not its
      answeredAt[index] = Math.max(answeredAt[index], answeredNanos);
    }
  }

  /**
   * The place an answer to a request sent at {@code sentNanos} accounts for, taken for it: the newest grant at or
   * before the send that no answer took yet, else the newest at or before it; -1 when none is. A place already
   * reserved again a window later (callers wait for the budget) counts by the newest grant there whose caller was let
   * go (else the grant it replaced), the one the answer is about: the late count then holds the waiting caller when it
   * wakes ({@link #woke}). Callers may wait two windows deep or more (a spec's adaptive concurrency let more rows wait
   * than the budget holds): the grant replaced is then itself one still waiting, and an answer read by it found no
   * grant of its own (one refusal in two of eight trials against a Python server, backlog 5). Requests that left
   * together late (a server's listen backlog overflowed: their connections waited for the SYN retransmit) each hold a
   * grant back so: when each marked the newest grant before its send, they marked the same one, one late arrival was
   * accounted for and the others were not, and a sliding-log server refused the grants a window after theirs.
   */
  private int claim(long sentNanos) {
    int best = -1;
    long bestSlot = NONE;
    int newest = -1;
    long newestSlot = NONE;
    for (int i = 1; i <= filled; i++) {
      int index = Math.floorMod(next - i, slots.length);
      if (slots[index] < sentNanos - windowNanos) break; // the places before it are older still
      long slot = sentGrant(index, sentNanos);
      if (slot == NONE || slot < sentNanos - windowNanos) continue;
      if (slot > newestSlot) {
        newest = index;
        newestSlot = slot;
      }
      if (answeredSlot[index] != slot && slot > bestSlot) {
        best = index;
        bestSlot = slot;
      }
    }
    if (best < 0) return newest;
    answeredSlot[best] = bestSlot;
    return best;
  }

  /**
   * The slot of the grant at {@code index} that a request sent at {@code sentNanos} may have been sent for; {@link
   * #NONE} if none. Once callers are let go through {@link #woke}: the newest grant there whose caller was (a grant
   * reserved a window or more later, whose caller still waits, sent nothing). Else (permits only reserved): the grant
   * there if its slot is due by then, else the one it replaced.
   */
  private long sentGrant(int index, long sentNanos) {
    long slot = tracksSends ? sentSlot[index] : slots[index] <= sentNanos ? slots[index] : replacedSlot[index];
    return slot != NONE && slot <= sentNanos ? slot : NONE;
  }

  /** The latest the target counted a send of place {@code index}, as far as is known; {@link #NONE} if none was. */
  private long countedBy(int index) {
    long answered = answeredAt[index];
    return answered == NONE ? countedAt[index] : Math.max(countedAt[index], answered - quickestNanos);
  }

  /**
   * A pause began at {@code now}: the grants after it are given up by their callers and reserved again behind it
   * (RateLimiter.acquire), so they leave the ring (they are its newest) and the grants they replaced come back.
   */
  void giveUpAfter(long now) {
    while (filled > 0) {
      int newest = next == 0 ? slots.length - 1 : next - 1;
      if (slots[newest] <= now) return;
      next = newest;
      if (replacedSlot[newest] != NONE) { // what the target counted at this place is the older grants': keep it
        slots[newest] = replacedSlot[newest];
        replacedSlot[newest] = NONE;
      } else {
        filled--;
      }
    }
  }

  private void allocate(int size) {
    slots = slots == null ? new long[size] : Arrays.copyOf(slots, size);
    countedAt = countedAt == null ? new long[size] : Arrays.copyOf(countedAt, size);
    answeredAt = answeredAt == null ? new long[size] : Arrays.copyOf(answeredAt, size);
    answeredSlot = answeredSlot == null ? new long[size] : Arrays.copyOf(answeredSlot, size);
    sentSlot = sentSlot == null ? new long[size] : Arrays.copyOf(sentSlot, size);
    replacedSlot = replacedSlot == null ? new long[size] : Arrays.copyOf(replacedSlot, size);
  }
}
