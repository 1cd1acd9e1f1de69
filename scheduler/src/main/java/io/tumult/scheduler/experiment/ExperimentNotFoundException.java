package io.tumult.scheduler.experiment;

/** No experiment of that name. */
public class ExperimentNotFoundException extends RuntimeException {

    public ExperimentNotFoundException(String name) {
        super("no experiment named " + name);
    }
}
