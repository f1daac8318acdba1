/**
 * Shutdown bounds shared by the server and the deployment (the pod's terminationGracePeriodSeconds
 * must leave room for them; test/manifests checks it).
 */

/** How long in-flight requests may take to finish after SIGTERM before connections are closed. */
export const SHUTDOWN_GRACE_MS = 10_000;
