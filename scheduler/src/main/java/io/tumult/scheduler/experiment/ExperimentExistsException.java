package io.tumult.scheduler.experiment;

/** An experiment of that name exists already. */
public class ExperimentExistsException extends RuntimeException {

    public ExperimentExistsException(String name) {
        super("an experiment named " + name + " exists already; PUT /experiments/" + name + " replaces it");
    }
}
