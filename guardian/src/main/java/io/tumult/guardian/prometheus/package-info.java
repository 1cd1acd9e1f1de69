/**
 * The Prometheus bridge: a small typed client of Prometheus' HTTP query API.
 * <p>
 * {@link io.tumult.guardian.prometheus.PrometheusClient} sends instant ({@code /api/v1/query}) and range
 * ({@code /api/v1/query_range}) queries as form POSTs and returns a
 * {@link io.tumult.guardian.prometheus.QueryResult}: a sealed {@code Data} (vector, matrix, scalar or string, as
 * the API's {@code resultType}) plus Prometheus' {@code warnings} and {@code infos}. Values keep Prometheus'
 * {@code NaN} and {@code ±Inf}. Anything else is a {@link io.tumult.guardian.prometheus.PrometheusException} with a
 * reason: {@code UNREACHABLE} (connection refused or broken), {@code TIMEOUT} (no answer within the client's timeout,
 * which is also sent as the query's evaluation timeout), {@code QUERY_ERROR} ({@code "status": "error"}, with
 * Prometheus' {@code errorType} and message) or {@code BAD_RESPONSE} (not the API's JSON). Its message always begins
 * {@code Prometheus at <url>}, so it can stand as the reason a condition has no data. Native histograms are not read.
 * <p>
 * No Java client of this API is published on Maven Central, hence this one; it stays small on purpose.
 */
package io.tumult.guardian.prometheus;
