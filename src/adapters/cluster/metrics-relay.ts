import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'gatehouse:metrics-request';
const ANSWER = 'gatehouse:metrics-answer';
const TIMEOUT_MS = 5_000;

interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

/**
 * Primary side: a worker asked to scrape gets every worker's metrics summed (counters and
 * histograms added, the breaker state the worst), so Prometheus sees one Gatehouse whichever
 * worker the connection lands on.
 */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== REQUEST) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then((text) => reply({ text }), (err: Error) => reply({ error: err.message }));
  });
}

/** Worker side: offers `registry` to the primary's aggregation, and returns a scrape that asks the primary. */
export function scrapeThroughPrimary(registry: Registry): () => Promise<string> {
  new AggregatorRegistry(); // installs the listener that answers the primary's requests for this worker's metrics
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, (answer: Answer) => void>();
  let next = 0;
  process.on('message', (message: Answer) => {
    if (message?.type === ANSWER) pending.get(message.id)?.(message);
  });
  return () => new Promise<string>((resolve, reject) => {
    const id = next++;
    const timer = setTimeout(() => settle({ type: ANSWER, id, error: 'the cluster primary did not answer' }), TIMEOUT_MS);
    const settle = (answer: Answer) => {
      clearTimeout(timer);
      pending.delete(id);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(`cluster metrics: ${answer.error}`));
    };
    pending.set(id, settle);
    process.send!({ type: REQUEST, id });
  });
}
