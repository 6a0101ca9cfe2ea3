package dev.ferry.steps;

import dev.ferry.core.limit.RateLimiter;

/**
 * One pace-keeping limiter of a target that the processes of a distributed job must split (cli's RateShare sets
 * {@code limiter.setRate(pace / processes)}). Immutable.
 *
 * @param target  the target's name
 * @param unit    {@code requests} or a weight's unit
 * @param limiter the limiter (threadsafe; shared by every worker of this process)
 * @param pace    the permits per second this process keeps when it runs alone (headroom applied); 0 when the limit
 *                is learned ({@code auto}): the pace learned from the headers is split instead, at each answer
 *                ({@link JobSteps#shareLearnedBy})
 */
public record SharedRate(String target, String unit, RateLimiter limiter, double pace) {}
