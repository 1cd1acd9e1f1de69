package io.tumult.scheduler.api;

import java.util.List;

/**
 * One page of runs, newest fire time first.
 *
 * @param items the runs on this page (without their history)
 * @param page this page's index, from 0
 * @param size the page size asked for
 * @param total how many runs match the filters
 */
public record RunPage(List<RunView> items, int page, int size, long total) {
}
