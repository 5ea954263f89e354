import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, type MetricDocument } from './report-metrics.js';

/** One EMF document as written to the log (CloudWatch Embedded Metric Format specification). */
export type EmfDocument = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: object[] }[];
  };
};

type EmfListener = (documents: readonly EmfDocument[]) => void;
const listeners = new Set<EmfListener>();

/**
 * Writes the documents as CloudWatch Embedded Metric Format through Powertools Metrics: one log
 * line each on stdout, which Lambda sends to CloudWatch Logs, which extracts the metrics
 * asynchronously. No CloudWatch API call, so nothing to wait for or fail (CloudWatch User Guide,
 * "Embedding metrics within logs"). Powertools' own `service` dimension is dropped: the alarms
 * and the dashboard name exact dimension sets (Plan plus one), and CloudWatch matches a metric
 * only on all of its dimensions.
 *
 * POWERTOOLS_METRICS_DISABLED=true (the local drill, tests) writes nothing; listeners still get
 * every document, as the drill's timeline listeners do.
 */
export function emitMetrics(plan: string, documents: readonly MetricDocument[], at: Date): EmfDocument[] {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ Plan: plan });
  const written: EmfDocument[] = [];
  for (const document of documents) {
    for (const [name, value] of Object.entries(document.dimensions)) metrics.addDimension(name, value);
    for (const m of document.metrics) metrics.addMetric(m.name, m.unit, m.value);
    metrics.setTimestamp(at);
    written.push(metrics.serializeMetrics() as EmfDocument);
    metrics.publishStoredMetrics();
  }
  for (const listener of listeners) listener(written);
  return written;
}

/** Subscribes to every document emitted in this process; returns the unsubscriber. */
export function onMetrics(listener: EmfListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
