/**
 * {@code ferry serve}: an HTTP front whose ingest routes come from a service spec, a durable queue in the job store
 * ({@link dev.ferry.store.WorkQueue}), and a drain that runs each queued item through the spec's steps. See
 * docs/SERVE.md.
 */
package dev.ferry.service;
