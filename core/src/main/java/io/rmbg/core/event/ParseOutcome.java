package io.rmbg.core.event;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.records.DeadLetter;
import io.rmbg.core.records.ImageEvent;

/** What became of one source record: a job to run, a job that failed validation, or neither. */
public sealed interface ParseOutcome {

    /** An outcome that names a job: valid or not, it has an event with a job id and user id. */
    sealed interface Named extends ParseOutcome {
        ImageEvent event();
    }

    /** A valid event: process it. */
    record Accepted(ImageEvent event) implements Named {}

    /**
     * The record names a job (job id and user id are usable) but is otherwise invalid: it ends as a
     * failed row. {@code event} holds whatever could be read.
     */
    record Rejected(ImageEvent event, ErrorCode errorCode, String errorMessage) implements Named {}

    /** No usable job id or user id: the record goes to the dead-letter topic. */
    record DeadLettered(DeadLetter deadLetter) implements ParseOutcome {}
}
