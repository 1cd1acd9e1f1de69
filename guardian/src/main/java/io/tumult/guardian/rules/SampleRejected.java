package io.tumult.guardian.rules;

/**
 * A sample the evaluator refuses: timed beyond the tolerated lateness or ahead of the clock by more than tolerated.
 * Its message is the reason, for the dead-letter record. Thrown without a stack trace: it is an answer, not a bug.
 */
public final class SampleRejected extends IllegalArgumentException {

    SampleRejected(String reason) {
        super(reason, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
