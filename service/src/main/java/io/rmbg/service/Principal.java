package io.rmbg.service;

/** Who a bearer token belongs to. An admin sees every user's jobs and the statistics. */
record Principal(String userId, boolean admin) {

    /** Whether this principal may see a job of {@code owner}. */
    boolean maySee(String owner) {
        return admin || userId.equals(owner);
    }
}
