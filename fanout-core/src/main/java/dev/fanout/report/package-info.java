/**
 * What fanout shows of a batch, for machines and for people: {@link dev.fanout.report.Reports} writes the
 * {@code --json} document, the summary printed after a batch, the history's JSON and the self-contained HTML report
 * (timeline, concurrency, utilisation, run times; for a workflow run a Gantt of its tasks and iterations), all from one
 * mapping of a run to JSON.
 */
package dev.fanout.report;
