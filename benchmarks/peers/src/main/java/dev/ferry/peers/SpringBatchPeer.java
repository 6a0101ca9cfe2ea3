package dev.ferry.peers;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.ResourcelessJobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.item.SimpleChunkProcessor;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.batch.infrastructure.item.file.FlatFileItemReader;
import org.springframework.batch.infrastructure.item.file.builder.FlatFileItemReaderBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.batch.integration.chunk.ChunkTaskExecutorItemWriter;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * Spring Batch 6 the way its reference docs ("Scaling and Parallel Processing") say to write concurrently in
 * one process: a chunk-oriented step whose {@link FlatFileItemReader} reads the CSV on the step thread and whose
 * writer is a {@link ChunkTaskExecutorItemWriter} (local chunking, new in 6.0: in 6.0 a step's own
 * {@code taskExecutor} makes only the processor concurrent). Each chunk of {@code --chunk} items goes to a
 * worker of a {@link SimpleAsyncTaskExecutor} (virtual threads, concurrency limit {@code --concurrency}, so at
 * most that many chunks, i.e. requests, are in flight); the worker's {@link SimpleChunkProcessor} hands the chunk
 * to an {@link ItemWriter} that POSTs each item. Job metadata lives in a {@link ResourcelessJobRepository} (no
 * database), transactions in a {@link ResourcelessTransactionManager}. With {@code --rate}, every POST first takes
 * a token from a Bucket4j {@link Bucket} of capacity 1 refilled greedily at the rate (pacing, no burst).
 *
 * <p>{@code java -cp ferry-peers-all.jar dev.ferry.peers.SpringBatchPeer --csv F --url U --concurrency N
 * [--rate R] [--chunk K]}
 */
public final class SpringBatchPeer {
  private SpringBatchPeer() {}

  /** One CSV row. */
  public record User(String email, String firstName, String lastName, String emailVerified, String externalId) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = PeerSupport.flags(args);
    int concurrency = Integer.parseInt(flags.get("concurrency"));
    int chunk = Integer.parseInt(flags.getOrDefault("chunk", "10"));
    double rate = PeerSupport.rate(flags);
    URI uri = URI.create(flags.get("url") + PeerSupport.PATH);
    String key = PeerSupport.apiKey();
    PeerSupport.Counters counters = new PeerSupport.Counters();
    PeerSupport.Pacer noPacer = new PeerSupport.Pacer(0);
    Bucket bucket = rate > 0
        ? Bucket.builder().addLimit(Bandwidth.builder().capacity(1).refillGreedy(Math.round(rate), Duration.ofSeconds(1)).build()).build()
        : null;
    long start = System.nanoTime();

    try (HttpClient client = PeerSupport.client()) {
      JobRepository repository = new ResourcelessJobRepository();
      ResourcelessTransactionManager tx = new ResourcelessTransactionManager();

      FlatFileItemReader<User> reader = new FlatFileItemReaderBuilder<User>()
          .name("users")
          .resource(new FileSystemResource(flags.get("csv")))
          .linesToSkip(1)
          .delimited()
          .names("email", "first_name", "last_name", "email_verified", "external_id")
          .fieldSetMapper(fs -> new User(fs.readString(0), fs.readString(1), fs.readString(2), fs.readString(3),
              fs.readString(4)))
          .build();

      ItemWriter<User> post = items -> {
        for (User u : items) {
          if (bucket != null) bucket.asBlocking().consume(1);
          PeerSupport.post(client, uri, key,
              PeerSupport.json(u.email(), u.firstName(), u.lastName(), u.emailVerified(), u.externalId()), noPacer,
              counters);
        }
      };
      SimpleAsyncTaskExecutor workers = new SimpleAsyncTaskExecutor("sb-worker-");
      workers.setVirtualThreads(true);
      workers.setConcurrencyLimit(concurrency);
      ChunkTaskExecutorItemWriter<User> writer =
          new ChunkTaskExecutorItemWriter<>(new SimpleChunkProcessor<>(post), workers);

      Step step = new StepBuilder("import-users", repository)
          .<User, User>chunk(chunk)
          .reader(reader)
          .writer(writer)
          .transactionManager(tx)
          .build();
      Job job = new JobBuilder("import", repository).start(step).build();

      TaskExecutorJobOperator operator = new TaskExecutorJobOperator();
      operator.setJobRepository(repository);
      operator.setJobRegistry(new MapJobRegistry());
      operator.afterPropertiesSet();
      JobExecution execution = operator.start(job, new JobParameters());
      if (execution.getStatus() != BatchStatus.COMPLETED) {
        System.err.println("spring batch: job ended " + execution.getStatus() + " " + execution.getAllFailureExceptions());
      }
      workers.close();
    }
    long rows = counters.ok.sum() + counters.errors.sum();
    PeerSupport.report("spring-batch", rows, start, counters);
  }
}
