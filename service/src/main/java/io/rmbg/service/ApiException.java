package io.rmbg.service;

/** A request the service refuses, with the HTTP status and a message that says what to change. */
final class ApiException extends Exception {
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException notFound(String what) {
        return new ApiException(404, what + " not found");
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }
}
