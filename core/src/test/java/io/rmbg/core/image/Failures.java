package io.rmbg.core.image;

import io.rmbg.core.error.ProcessingException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Catches the {@link ProcessingException} a call must throw, failing the test if it does not. */
final class Failures {

    private Failures() {}

    static ProcessingException failure(ThrowingCallable call) {
        ProcessingException e = catchThrowableOfType(ProcessingException.class, call);
        assertThat(e).as("expected a ProcessingException").isNotNull();
        return e;
    }
}
